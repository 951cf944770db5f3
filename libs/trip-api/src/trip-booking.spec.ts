import { pricesOf, TripBooking, tripAmount, withPrice, withPricesOf } from './trip-booking';

const trip: TripBooking = {
  bookingId: 'b-1',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 2, rooms: 1 },
  faults: {},
};

describe('trip prices', () => {
  it('reads the fields bookings carried before prices, and prices over them', () => {
    expect(pricesOf({ flightPrice: 500, hotelPrice: 240 })).toEqual({ flight: 500, hotel: 240 });
    expect(pricesOf({ flightPrice: 500, prices: { flight: 600, hotel: 240 } })).toEqual({
      flight: 600,
      hotel: 240,
    });
    expect(pricesOf(trip)).toEqual({});
  });

  it('writes a price into prices, and into its old field while older instances read it', () => {
    const priced = withPrice(withPrice(trip, 'flight', 500), 'hotel', 240);
    expect(priced).toEqual({
      ...trip,
      prices: { flight: 500, hotel: 240 },
      flightPrice: 500,
      hotelPrice: 240,
    });
    expect(withPrice(trip, 'payment', 7)).toEqual({ ...trip, prices: { payment: 7 } });
  });

  it('charges the sum of every price, old fields and new alike', () => {
    expect(tripAmount(trip)).toBe(0);
    expect(tripAmount({ flightPrice: 500, hotelPrice: 240 })).toBe(740);
    expect(tripAmount({ hotelPrice: 240, prices: { flight: 500, payment: 60 } })).toBe(800);
  });

  it("folds an event's prices into the booking's, the event's winning", () => {
    const stored = { ...trip, flightPrice: 500 };
    expect(withPricesOf(stored, { prices: { hotel: 240 } })).toEqual({
      ...stored,
      prices: { flight: 500, hotel: 240 },
      hotelPrice: 240,
    });
    expect(withPricesOf(stored, { flightPrice: 450 })).toMatchObject({ flightPrice: 450 });
    expect(withPricesOf(trip, trip)).toBe(trip);
  });
});
