import { TripErrorCode } from './trip-fault';

describe('TripErrorCode', () => {
  it("lists each participant's refusal codes once, in saga order, then the late undo's and the faults'", () => {
    expect(TripErrorCode).toEqual({
      SOLD_OUT: 'SOLD_OUT',
      UNKNOWN_FLIGHT: 'UNKNOWN_FLIGHT',
      UNKNOWN_HOTEL: 'UNKNOWN_HOTEL',
      UNKNOWN_CUSTOMER: 'UNKNOWN_CUSTOMER',
      INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
      ALREADY_CANCELLED: 'ALREADY_CANCELLED',
      INJECTED_FAILURE: 'INJECTED_FAILURE',
      INJECTED_COMPENSATION_FAILURE: 'INJECTED_COMPENSATION_FAILURE',
    });
    expect(Object.keys(TripErrorCode)).toEqual(Object.values(TripErrorCode));
    const hotel: TripErrorCode = TripErrorCode.UNKNOWN_HOTEL;
    expect(hotel).toBe('UNKNOWN_HOTEL');
  });
});
