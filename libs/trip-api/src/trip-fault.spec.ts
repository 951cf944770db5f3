import { StepFaultCode } from '@app/saga-core';
import { TripErrorCode } from './trip-fault';
import { TRIP_PARTICIPANTS, TRIP_REFUSAL_CODES } from './trip-participants';

describe('TripErrorCode', () => {
  it("lists each participant's refusal codes once, in saga order, then the late undo's and the faults'", () => {
    const refusals = new Set(TRIP_PARTICIPANTS.flatMap((name) => TRIP_REFUSAL_CODES[name]));
    expect(Object.keys(TripErrorCode)).toEqual([
      ...refusals,
      'ALREADY_CANCELLED',
      ...Object.keys(StepFaultCode),
    ]);
    expect(Object.keys(TripErrorCode)).toEqual(Object.values(TripErrorCode));
  });

  it('keeps every code it had when it was written by hand, in the same order', () => {
    const handWritten = [
      'SOLD_OUT',
      'UNKNOWN_FLIGHT',
      'UNKNOWN_HOTEL',
      'UNKNOWN_CUSTOMER',
      'INSUFFICIENT_FUNDS',
      'ALREADY_CANCELLED',
      'INJECTED_FAILURE',
      'INJECTED_COMPENSATION_FAILURE',
    ];
    expect(Object.keys(TripErrorCode).filter((code) => handWritten.includes(code))).toEqual(
      handWritten,
    );
    const hotel: TripErrorCode = TripErrorCode.UNKNOWN_HOTEL;
    expect(hotel).toBe('UNKNOWN_HOTEL');
  });
});
