import { INVALID_PAYLOAD, validatePayload } from '@app/saga-core';
import { CarRequestDto } from '@app/trip-api';
import { ReserveCarDto } from './reserve-car.dto';

const command = { bookingId: 'b-1', carClass: 'COMPACT', days: 3 };

/** A command the booking's car part lets through, and only that, reaches the rental. */
describe.each([
  ['the car.reserve command (ReserveCarDto)', ReserveCarDto, command],
  ["the booking's car part (CarRequestDto)", CarRequestDto, { carClass: 'COMPACT', days: 3 }],
])('%s', (_what, dto: new () => object, valid: Record<string, unknown>) => {
  it('takes a class and between 1 and 365 days', () => {
    expect(validatePayload(dto, valid)).toMatchObject(valid);
    expect(validatePayload(dto, { ...valid, days: 1 })).toMatchObject({ days: 1 });
    expect(validatePayload(dto, { ...valid, days: 365 })).toMatchObject({ days: 365 });
  });

  it.each([
    ['no class', { carClass: undefined }],
    ['an empty class', { carClass: '' }],
    ['a class of 65 characters', { carClass: 'C'.repeat(65) }],
    ['a class with a control character', { carClass: 'SUV\u0000' }],
    ['a class that is not text', { carClass: 7 }],
    ['no days', { days: undefined }],
    ['0 days', { days: 0 }],
    ['366 days', { days: 366 }],
    ['half a day', { days: 1.5 }],
    ['days as text', { days: '3' }],
  ])('refuses %s', (_case, change) => {
    expect(() => validatePayload(dto, { ...valid, ...change })).toThrow(
      expect.objectContaining({ code: INVALID_PAYLOAD }),
    );
  });
});

describe('the car.reserve command', () => {
  it('needs its booking', () => {
    expect(() => validatePayload(ReserveCarDto, { carClass: 'SUV', days: 1 })).toThrow(
      expect.objectContaining({ code: INVALID_PAYLOAD }),
    );
  });
});
