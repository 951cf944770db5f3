import { Logger } from '@nestjs/common';
import { SagaStatus } from '@app/saga-core';
import {
  TRIP_BOOKING_CHOREOGRAPHY,
  TRIP_BOOKING_SAGA,
  TripBooking,
  TripFault,
} from '@app/trip-api';
import { InMemoryTripSystem, STEP_TIMEOUT_MS } from './in-memory/trip-system.in-memory';

/**
 * The whole trip, in both modes, on the in-memory adapters: the real definitions and engine,
 * participants that keep stock and balances. No server, no sleep: messages are settled and
 * time is moved by the test.
 */

const STOCK = {
  flights: { 'FL-100': { seats: 10, price: 250 } },
  hotels: { 'HT-200': { rooms: 5, perNight: 100 } },
  cars: { COMPACT: { cars: 3, perDay: 40 } },
  balances: { rich: 10_000, poor: 100 },
};

/** 2 seats × 250 + 3 nights × 1 room × 100. */
const TRIP_PRICE = 2 * 250 + 3 * 100;

function trip(bookingId: string, overrides: Partial<TripBooking> = {}): TripBooking {
  return {
    bookingId,
    customerId: 'rich',
    flight: { flightId: 'FL-100', seats: 2 },
    hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
    ...overrides,
  };
}

const MODES = [
  ['orchestrated', TRIP_BOOKING_SAGA],
  ['choreographed', TRIP_BOOKING_CHOREOGRAPHY],
] as const;

/** Booking ids are UUIDs, as the API makes them. */
const ids = {
  orchestrated: '00000000-0000-4000-8000-00000000000',
  choreographed: '00000000-0000-4000-8000-00000000001',
};

describe.each(MODES)('the trip booking, %s, on the in-memory adapters', (mode, definition) => {
  let system: InMemoryTripSystem;
  const bookingId = (n: number) => `${ids[mode]}${n}`;
  /**
   * Orchestrated, the undos go out one at a time, in reverse order. Choreographed, flight,
   * hotel and car form a group, and undo at once: in any order among themselves.
   */
  const undoneInGroups = (journal: readonly string[]) => {
    if (mode === 'orchestrated') return journal;
    const undos = journal.filter((e) => e.endsWith(':cancelled'));
    return [...journal.filter((e) => !undos.includes(e)), ...[...undos].sort()];
  };

  beforeAll(() => {
    // The undo of a refused or silent step logs its warnings; the assertions tell the story.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());

  beforeEach(async () => {
    system = await new InMemoryTripSystem(structuredClone(STOCK)).start();
  });

  afterEach(() => system.stop());

  it('confirms the booking, taking the seats, the room and the money', async () => {
    const saga = await system.book(definition, trip(bookingId(1)));

    expect(saga.status).toBe(SagaStatus.CONFIRMED);
    expect(system.flights.seatsLeft('FL-100')).toBe(8);
    expect(system.hotels.roomsLeft('HT-200')).toBe(4);
    expect(system.payments.balanceOf('rich')).toBe(10_000 - TRIP_PRICE);
    expect(system.journal).toEqual(['flight:reserved', 'hotel:reserved', 'payment:charged']);
  });

  it('cancels the hotel, then the flight, when the payment is refused for want of funds', async () => {
    const saga = await system.book(definition, trip(bookingId(2), { customerId: 'poor' }));

    expect(saga.status).toBe(SagaStatus.CANCELLED);
    expect(saga.failureReason).toMatch(/Insufficient funds/);
    expect(undoneInGroups(system.journal)).toEqual(
      undoneInGroups(['flight:reserved', 'hotel:reserved', 'hotel:cancelled', 'flight:cancelled']),
    );
    expect(system.flights.seatsLeft('FL-100')).toBe(10);
    expect(system.hotels.roomsLeft('HT-200')).toBe(5);
    expect(system.payments.balanceOf('poor')).toBe(100);
  });

  it('cancels the flight when the hotel is sold out, and leaves the payment alone', async () => {
    const saga = await system.book(
      definition,
      trip(bookingId(3), { hotel: { hotelId: 'HT-200', nights: 1, rooms: 6 } }),
    );

    expect(saga.status).toBe(SagaStatus.CANCELLED);
    expect(system.journal).toEqual(['flight:reserved', 'flight:cancelled']);
    expect(system.flights.seatsLeft('FL-100')).toBe(10);
    expect(system.payments.balanceOf('rich')).toBe(10_000);
  });

  it('waits for a hotel that never answers, then undoes it and the flight once its deadline passes', async () => {
    const id = bookingId(4);
    const waiting = await system.book(definition, trip(id), { hotel: TripFault.TIMEOUT });

    // The hotel did its work but said nothing: the booking waits, holding the room.
    expect(waiting.status).toBe(SagaStatus.PENDING);
    expect(system.hotels.roomsLeft('HT-200')).toBe(4);
    expect(await system.passTime(STEP_TIMEOUT_MS - 1_000)).toBe(0);
    expect((await system.saga(id)).status).toBe(SagaStatus.PENDING);

    await system.passTime(2_000);

    expect((await system.saga(id)).status).toBe(SagaStatus.CANCELLED);
    expect(undoneInGroups(system.journal)).toEqual(
      undoneInGroups(['flight:reserved', 'hotel:reserved', 'hotel:cancelled', 'flight:cancelled']),
    );
    expect(system.flights.seatsLeft('FL-100')).toBe(10);
    expect(system.hotels.roomsLeft('HT-200')).toBe(5);
    expect(system.payments.balanceOf('rich')).toBe(10_000);
  });

  it('rents a car after the hotel, and charges it with the rest', async () => {
    const car = { carClass: 'COMPACT', days: 2 };
    const saga = await system.book(definition, trip(bookingId(5), { car }));

    expect(saga.status).toBe(SagaStatus.CONFIRMED);
    expect(system.cars.carsLeft('COMPACT')).toBe(2);
    expect(system.payments.balanceOf('rich')).toBe(10_000 - TRIP_PRICE - 2 * 40);
    expect(system.journal).toEqual([
      'flight:reserved',
      'hotel:reserved',
      'car:reserved',
      'payment:charged',
    ]);
  });

  it('returns the car first when the payment is refused, then the hotel and the flight', async () => {
    const car = { carClass: 'COMPACT', days: 2 };
    const saga = await system.book(definition, trip(bookingId(6), { car, customerId: 'poor' }));

    expect(saga.status).toBe(SagaStatus.CANCELLED);
    expect(undoneInGroups(system.journal)).toEqual(
      undoneInGroups([
        'flight:reserved',
        'hotel:reserved',
        'car:reserved',
        'car:cancelled',
        'hotel:cancelled',
        'flight:cancelled',
      ]),
    );
    expect(system.cars.carsLeft('COMPACT')).toBe(3);
  });

  it('cancels the hotel and the flight when the car class is unknown, charging nothing', async () => {
    const car = { carClass: 'SPACESHIP', days: 1 };
    const saga = await system.book(definition, trip(bookingId(7), { car }));

    expect(saga.status).toBe(SagaStatus.CANCELLED);
    expect(saga.failureReason).toMatch(/^car: /);
    expect(undoneInGroups(system.journal)).toEqual(
      undoneInGroups(['flight:reserved', 'hotel:reserved', 'hotel:cancelled', 'flight:cancelled']),
    );
    expect(system.payments.balanceOf('rich')).toBe(10_000);
  });

  it('leaves the car service out of a booking without a car: no command, no transaction', async () => {
    const saga = await system.book(definition, trip(bookingId(8)));

    expect(saga.status).toBe(SagaStatus.CONFIRMED);
    // Choreographed, the car service takes the booking request and lets it pass (`@EventFilter`).
    expect(system.handledBy('car')).toBe(0);
    // Choreographed, the payment counts the flight's success, then works on the hotel's.
    expect(system.handledBy('payment')).toBe(mode === 'orchestrated' ? 1 : 2);
  });

  it('charges once for a booking with a car, after the flight, the hotel and the car', async () => {
    const saga = await system.book(
      definition,
      trip(bookingId(9), { car: { carClass: 'COMPACT', days: 1 } }),
    );

    expect(saga.status).toBe(SagaStatus.CONFIRMED);
    expect(system.journal.filter((e) => e === 'payment:charged')).toHaveLength(1);
    expect(system.journal.at(-1)).toBe('payment:charged');
    // Choreographed, the payment takes the three successes: two are counted, the last works.
    expect(system.handledBy('payment')).toBe(mode === 'orchestrated' ? 1 : 3);
  });
});

describe.each(MODES)('a step deadline, %s, on the in-memory adapters', (mode, definition) => {
  let system: InMemoryTripSystem;
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());
  // A poll that never comes (an hour): only the wake-up of the timer it wrote can fire it.
  beforeEach(
    async () => (system = await new InMemoryTripSystem(structuredClone(STOCK), 50).start()),
  );
  afterEach(() => system.stop());

  it('fires by itself at its time: the engine wakes its timer runner for the timers it writes', async () => {
    const id = `${ids[mode]}9`;
    await system.book(definition, trip(id), { hotel: TripFault.TIMEOUT });

    const ended = await system.engine.waitUntilEnded(id, 5_000);

    expect(ended?.status).toBe(SagaStatus.CANCELLED);
    expect(system.hotels.roomsLeft('HT-200')).toBe(5);
  });
});
