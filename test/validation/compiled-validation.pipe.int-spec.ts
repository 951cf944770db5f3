import {
  ArgumentMetadata,
  HttpException,
  ValidationPipe,
  ValidationPipeOptions,
} from '@nestjs/common';
import * as classValidator from 'class-validator';
import { TRIP_FAULTS } from '@app/trip-api';
// The orchestrator's DTOs, under the options of its global pipe.
import { CreateBookingDto } from '../../apps/orchestrator/src/booking/create-booking.dto';
import { ListBookingsQuery } from '../../apps/orchestrator/src/booking/list-bookings.query';
import { CompiledValidationPipe } from '@app/saga-core';
import { mutated, Node, Rng, seeded } from '@app/saga-core/validation/compiled-validation.fixture';

const OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
};
const BODY: ArgumentMetadata = { type: 'body', metatype: CreateBookingDto };
const QUERY: ArgumentMetadata = { type: 'query', metatype: ListBookingsQuery };

const booking = (rng: Rng): Node => ({
  customerId: rng.text(1, 64),
  flight: { flightId: rng.text(1, 64), seats: rng.int(1, 1000) },
  hotel: { hotelId: rng.text(1, 64), nights: rng.int(1, 365), rooms: rng.int(1, 1000) },
  ...(rng.chance(0.5) ? { car: { carClass: rng.text(1, 64), days: rng.int(1, 365) } } : {}),
  ...(rng.chance(0.5) ? { faults: { payment: rng.pick(TRIP_FAULTS) } } : {}),
});

/** What a pipe makes of a value: the value it passes on, or the response of its exception. */
async function outcome(pipe: ValidationPipe, value: unknown, metadata: ArgumentMetadata) {
  try {
    const passed: unknown = await pipe.transform(structuredClone(value), metadata);
    return { passed, type: passed?.constructor };
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    return { status: error.getStatus(), response: error.getResponse() };
  }
}

describe('CompiledValidationPipe', () => {
  const plain = new ValidationPipe(OPTIONS);
  const compiled = new CompiledValidationPipe(OPTIONS);
  const validate = jest.spyOn(
    ValidationPipe.prototype as unknown as { validate(): unknown },
    'validate',
  );
  const classValidatorCalls = () => validate.mock.contexts.filter((pipe) => pipe === compiled);

  beforeEach(() => validate.mockClear());

  it('passes on a valid body as ValidationPipe does, without class-validator', async () => {
    const body = booking(seeded(3));
    const expected = await outcome(plain, body, BODY);
    validate.mockClear();
    expect(await outcome(compiled, body, BODY)).toEqual(expected);
    expect(expected.type).toBe(CreateBookingDto);
    expect(classValidatorCalls()).toHaveLength(0);
  });

  it('refuses an invalid body with the 400 ValidationPipe gives, from class-validator', async () => {
    const body = { ...booking(seeded(4)), flight: { flightId: '', seats: 0, extra: 1 } };
    const expected = await outcome(plain, body, BODY);
    expect(expected.status).toBe(400);
    expect(await outcome(compiled, body, BODY)).toEqual(expected);
    expect(classValidatorCalls()).toHaveLength(1);
  });

  it('answers as ValidationPipe on valid bodies and mutations of them', async () => {
    const rng = seeded(5);
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      const body = i % 4 === 0 ? booking(rng) : mutated(rng, booking(rng));
      const expected = await outcome(plain, body, BODY);
      expect(await outcome(compiled, body, BODY)).toEqual(expected);
      if (expected.status) refused++;
    }
    // Every body it let pass went by the compiled check alone.
    expect(classValidatorCalls()).toHaveLength(refused);
    expect(refused).toBeGreaterThan(20);
    expect(refused).toBeLessThan(180);
  });

  it.each([[[]], ['a booking'], [null], [undefined], [{}], [{ constructor: 'x', customerId: 1 }]])(
    'answers as ValidationPipe on %p',
    async (body) => {
      expect(await outcome(compiled, body, BODY)).toEqual(await outcome(plain, body, BODY));
    },
  );

  it.each([
    { limit: '5' },
    { limit: 'many' },
    { mode: 'orchestrated', status: 'PENDING' },
    { page: '2' },
  ])('answers as ValidationPipe on the query %j', async (query) => {
    expect(await outcome(compiled, query, QUERY)).toEqual(await outcome(plain, query, QUERY));
  });

  it('leaves a validator package of its own to class-validator', async () => {
    const own = new CompiledValidationPipe({ ...OPTIONS, validatorPackage: classValidator });
    const body = booking(seeded(6));
    expect(await outcome(own, body, BODY)).toEqual(await outcome(plain, body, BODY));
    expect(validate.mock.contexts).toContain(own);
  });
});
