import { NotFoundException } from '@nestjs/common';
import { Car } from './car.entity';
import { CarFleetController } from './car-fleet.controller';
import { CarFleetService } from './car-fleet.service';
import { CarRental, CarRentalStatus } from './car-rental.entity';

const at = new Date('2024-01-01T00:00:00.000Z');

function rental(overrides: Partial<CarRental>): CarRental {
  return Object.assign(new CarRental(), {
    bookingId: 'b-1',
    carClass: 'SUV',
    days: 2,
    price: 180,
    status: CarRentalStatus.RESERVED,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  });
}

/** The controller over a fleet held in memory: it only shapes what the service finds. */
function controllerOver(cars: Car[], rentals: CarRental[]): CarFleetController {
  const fleet: Pick<CarFleetService, 'cars' | 'rental'> = {
    cars: () => Promise.resolve(cars),
    rental: (bookingId) => Promise.resolve(rentals.find((r) => r.bookingId === bookingId) ?? null),
  };
  return new CarFleetController(fleet as CarFleetService);
}

describe('CarFleetController', () => {
  it('lists the fleet with each class stock and daily price', async () => {
    const suv = Object.assign(new Car(), {
      carClass: 'SUV',
      carsTotal: 5,
      carsAvailable: 4,
      pricePerDay: 90,
    });
    await expect(controllerOver([suv], []).cars()).resolves.toEqual([
      { carClass: 'SUV', carsTotal: 5, carsAvailable: 4, pricePerDay: 90 },
    ]);
  });

  it.each([CarRentalStatus.RESERVED, CarRentalStatus.CANCELLED])(
    'shows a %s rental with its class and days',
    async (status) => {
      const controller = controllerOver([], [rental({ status })]);
      await expect(controller.rental('b-1')).resolves.toEqual({
        bookingId: 'b-1',
        carClass: 'SUV',
        days: 2,
        status,
      });
    },
  );

  it('answers 404 for a booking with no rental', async () => {
    await expect(controllerOver([], []).rental('b-2')).rejects.toBeInstanceOf(NotFoundException);
  });

  it('answers 404 for a tombstone: a cancel that came before any rental', async () => {
    const tombstone = rental({ carClass: null, days: 0, price: 0, status: 'CANCELLED' });
    await expect(controllerOver([], [tombstone]).rental('b-1')).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });
});
