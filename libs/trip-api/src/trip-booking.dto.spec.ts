import { EventMessage, PoisonMessageError } from '@app/saga-core';
import { TripBooking } from './trip-booking';
import { tripBookingOf } from './trip-booking.dto';

const booking: TripBooking = {
  bookingId: 'b-1',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 2, rooms: 1 },
  faults: { hotel: 'timeout' },
  flightPrice: 500,
};

function event(payload: unknown, correlationId = 'b-1'): EventMessage {
  return {
    messageId: 'm-1',
    type: 'trip.flight.reserved',
    correlationId,
    source: 'flight-service',
    payload,
    occurredAt: '2024-01-01T00:00:00.000Z',
  };
}

describe('tripBookingOf', () => {
  it('returns the booking an event carries', () => {
    expect(tripBookingOf(event(booking))).toEqual(booking);
  });

  it('checks the prices by participant', () => {
    const priced = { ...booking, prices: { flight: 500, hotel: 240 } };
    expect(tripBookingOf(event(priced))).toEqual(priced);
  });

  it('keeps fields it does not know, for newer publishers', () => {
    expect(tripBookingOf(event({ ...booking, note: 'vip' }))).toMatchObject({ note: 'vip' });
  });

  it.each([
    ['not an object', null],
    ['no booking id', { ...booking, bookingId: undefined }],
    ['an unknown fault', { ...booking, faults: { hotel: 'explode' } }],
    ['no seats', { ...booking, flight: { flightId: 'FL-100', seats: 0 } }],
    ['a hotel that is not an object', { ...booking, hotel: 'HT-200' }],
    ['a price that is not a number', { ...booking, flightPrice: '500' }],
    ['a negative price', { ...booking, prices: { hotel: -1 } }],
    ['prices that are not an object', { ...booking, prices: 500 }],
  ])('calls a payload with %s poison', (_case, payload) => {
    expect(() => tripBookingOf(event(payload))).toThrow(PoisonMessageError);
  });

  it('calls a booking of another saga than the event poison', () => {
    expect(() => tripBookingOf(event(booking, 'b-2'))).toThrow(
      new PoisonMessageError('trip.flight.reserved m-1: booking b-1 under correlation id b-2'),
    );
  });
});
