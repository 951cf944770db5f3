import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SafeTextPipe, UNREADABLE_REQUEST } from '@app/saga-core';
import { CarViewDto } from './dto/car-view.dto';
import { CarRentalViewDto } from './dto/car-rental-view.dto';
import { CarFleetService } from './car-fleet.service';
import { CarRentalStatus } from './car-rental.entity';

/** A booking id with what text may not hold is a 400, not a failed query. */
const BOOKING_ID = new SafeTextPipe({ name: 'bookingId' });

export interface CarView {
  carClass: string;
  carsTotal: number;
  carsAvailable: number;
  pricePerDay: number;
}

export interface CarRentalView {
  bookingId: string;
  carClass: string;
  days: number;
  status: CarRentalStatus;
}

@ApiTags('cars')
@Controller()
export class CarFleetController {
  constructor(private readonly fleet: CarFleetService) {}

  @Get('cars')
  @ApiOperation({
    operationId: 'listCars',
    summary: 'The car fleet',
    description: 'Every car class with its cars and daily price',
  })
  @ApiOkResponse({ description: 'The car classes', type: [CarViewDto] })
  @ApiErrors(UNREADABLE_REQUEST)
  async cars(): Promise<CarView[]> {
    const cars = await this.fleet.cars();
    return cars.map(({ carClass, carsTotal, carsAvailable, pricePerDay }) => ({
      carClass,
      carsTotal,
      carsAvailable,
      pricePerDay,
    }));
  }

  @Get('rentals/:bookingId')
  @ApiOperation({
    operationId: 'getCarRental',
    summary: "A booking's car rental",
    description:
      'Its class, days and status; 404 when none was made, including when a cancellation came first',
  })
  @ApiOkResponse({ description: 'The rental', type: CarRentalViewDto })
  @ApiErrors({ ...UNREADABLE_REQUEST, 404: 'No car rental for this booking' })
  async rental(@Param('bookingId', BOOKING_ID) bookingId: string): Promise<CarRentalView> {
    const rental = await this.fleet.rental(bookingId);
    // A tombstone (a cancel that came before any rental) is bookkeeping, not a rental.
    if (!rental?.carClass) {
      throw new NotFoundException(`No car rental for booking ${bookingId}`);
    }
    const { carClass, days, status } = rental;
    return { bookingId, carClass, days, status };
  }
}
