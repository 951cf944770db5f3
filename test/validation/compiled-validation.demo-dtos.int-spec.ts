import { plainToInstance } from 'class-transformer';
import { MaxLength, IsString, ValidatorOptions, validateSync } from 'class-validator';
import { TRIP_FAULTS, TRIP_PARTICIPANTS, TripBookingDto, TripCommandDto } from '@app/trip-api';
// The demo's DTOs are the ones the fast path serves: it must agree with class-validator on them.
import { BOOKING_MODES } from '../../apps/orchestrator/src/booking/booking-mode';
import { CreateBookingDto } from '../../apps/orchestrator/src/booking/create-booking.dto';
import { GetBookingQuery } from '../../apps/orchestrator/src/booking/get-booking.query';
import { ListBookingsQuery } from '../../apps/orchestrator/src/booking/list-bookings.query';
import { ReserveCarDto } from '../../apps/car-service/src/dto/reserve-car.dto';
import { ReserveFlightDto } from '../../apps/flight-service/src/dto/reserve-flight.dto';
import { ReserveHotelDto } from '../../apps/hotel-service/src/dto/reserve-hotel.dto';
import { ChargePaymentDto } from '../../apps/payment-service/src/dto/charge-payment.dto';
import { compiledCheck, SagaStatus } from '@app/saga-core';
import {
  expectAgreement,
  Rng,
  Scenario,
  seeded,
} from '@app/saga-core/validation/compiled-validation.fixture';

/** The orchestrator's global pipe, as `ValidationPipe` hands its options to class-validator. */
const ORCHESTRATOR: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false },
};
/** `validatePayload`'s. */
const PAYLOAD: ValidatorOptions = { forbidUnknownValues: true };

const parts = (rng: Rng) => ({
  flight: { flightId: rng.text(1, 64), seats: rng.int(1, 1000) },
  hotel: { hotelId: rng.text(1, 64), nights: rng.int(1, 365), rooms: rng.int(1, 1000) },
  car: rng.maybe(() => ({ carClass: rng.text(1, 64), days: rng.int(1, 365) })),
});
const perParticipant = (rng: Rng, make: () => unknown) =>
  Object.fromEntries(TRIP_PARTICIPANTS.filter(() => rng.chance(0.5)).map((p) => [p, make()]));
const faults = (rng: Rng) => rng.maybe(() => perParticipant(rng, () => rng.pick(TRIP_FAULTS)));
const booking = (rng: Rng) => ({ bookingId: rng.text(1, 64) });

const REAL: Scenario[] = [
  {
    name: 'CreateBookingDto',
    dto: CreateBookingDto,
    options: ORCHESTRATOR,
    valid: (rng) => ({
      mode: rng.maybe(() => rng.pick(BOOKING_MODES)),
      customerId: rng.text(1, 64),
      ...parts(rng),
      faults: faults(rng),
    }),
  },
  {
    name: 'TripBookingDto',
    dto: TripBookingDto,
    options: PAYLOAD,
    valid: (rng) => ({
      ...booking(rng),
      customerId: rng.text(1, 64),
      ...parts(rng),
      faults: faults(rng),
      prices: rng.maybe(() => perParticipant(rng, () => rng.int(0, 10_000))),
      flightPrice: rng.maybe(() => rng.int(0, 10_000)),
      reason: rng.maybe(() => rng.text(0, 80)),
    }),
  },
  { name: 'TripCommandDto', dto: TripCommandDto, options: PAYLOAD, valid: booking },
  {
    name: 'ReserveFlightDto',
    dto: ReserveFlightDto,
    options: PAYLOAD,
    valid: (rng) => ({ ...booking(rng), flightId: rng.text(1, 9), seats: rng.int(1, 9) }),
  },
  {
    name: 'ReserveHotelDto',
    dto: ReserveHotelDto,
    options: PAYLOAD,
    valid: (rng) => ({ ...booking(rng), hotelId: 'HT', nights: rng.int(1, 9), rooms: 1 }),
  },
  {
    name: 'ReserveCarDto',
    dto: ReserveCarDto,
    options: PAYLOAD,
    valid: (rng) => ({ ...booking(rng), carClass: rng.text(1, 64), days: rng.int(1, 365) }),
  },
  {
    name: 'ChargePaymentDto',
    dto: ChargePaymentDto,
    options: PAYLOAD,
    valid: (rng) => ({ ...booking(rng), customerId: rng.text(1, 9), amount: rng.int(0, 9) }),
  },
  {
    name: 'ListBookingsQuery',
    dto: ListBookingsQuery,
    options: ORCHESTRATOR,
    valid: (rng) => ({
      mode: rng.maybe(() => rng.pick(BOOKING_MODES)),
      status: rng.maybe(() => rng.pick(Object.values(SagaStatus))),
      limit: rng.maybe(() => String(rng.int(1, 500))),
    }),
  },
  {
    name: 'GetBookingQuery',
    dto: GetBookingQuery,
    options: ORCHESTRATOR,
    valid: (rng) => ({ wait: rng.maybe(() => String(rng.pick([rng.int(0, 30), 2.5]))) }),
  },
];

describe('compiledCheck, on the DTOs of the demo', () => {
  it.each(REAL)('compiles $name, and passes a valid one', ({ dto, options, valid }) => {
    const check = compiledCheck(dto, options);
    expect(check).not.toBeNull();
    expect(check?.(plainToInstance(dto, valid(seeded(1))))).toBe(true);
  });

  it.each(REAL)('agrees with class-validator on $name', (scenario) =>
    expectAgreement(scenario, scenario.name.length),
  );

  it.each([
    { groups: ['admin'] },
    { always: true },
    { strictGroups: true },
    { enableDebugMessages: true },
    { anOptionOfLater: true },
  ])('is null under %j', (options) => {
    expect(compiledCheck(TripCommandDto, options as ValidatorOptions)).toBeNull();
  });

  it('sees a rule added to a class after its compile', () => {
    class Late {
      @IsString() name = 'long';
    }
    expect(compiledCheck(Late)?.(new Late())).toBe(true);
    MaxLength(3)(Late.prototype, 'name');
    expect(compiledCheck(Late)?.(new Late())).toBe(false);
    expect(validateSync(new Late())).toHaveLength(1);
  });
});
