import { TripFault } from './trip-fault';
import { TripParticipant, TripParts } from './trip-participants';

/** What each participant priced, by participant; the payment charges their sum. */
export type TripPrices = Partial<Record<TripParticipant, number>>;

/**
 * A trip booking as both styles carry it: the orchestrated saga keeps it as its data, and every
 * choreographed event carries it whole (each service adds what it priced), so no service has
 * to ask another for anything.
 */
export interface TripBooking extends TripParts {
  bookingId: string;
  customerId: string;
  /**
   * The faults asked for, kept readable for bookings started before they moved to the
   * `x-saga-faults` header (the saga's `faults` label); new bookings leave it out.
   */
  faults?: Partial<Record<TripParticipant, TripFault>>;
  prices?: TripPrices;
  /** The flight's and the hotel's prices as bookings carried them before `prices`. */
  flightPrice?: number;
  hotelPrice?: number;
  /** Why the booking is being undone, on failure and cancellation events. */
  reason?: string;
}

type PricedBooking = Pick<TripBooking, 'prices' | 'flightPrice' | 'hotelPrice'>;

/**
 * The fields that carried a price before `prices`. Stored sagas and in-flight events still
 * carry them, and an instance not yet upgraded reads only them, so they are read and written.
 */
const LEGACY_PRICE_FIELDS: Partial<Record<TripParticipant, 'flightPrice' | 'hotelPrice'>> = {
  flight: 'flightPrice',
  hotel: 'hotelPrice',
};

/** The prices a booking carries, whichever fields it carries them in (`prices` wins). */
export function pricesOf(trip: PricedBooking): TripPrices {
  const prices: TripPrices = {};
  for (const [participant, field] of Object.entries(LEGACY_PRICE_FIELDS)) {
    const price = trip[field];
    if (price !== undefined) prices[participant as TripParticipant] = price;
  }
  return { ...prices, ...trip.prices };
}

function withPrices<T extends PricedBooking>(trip: T, prices: TripPrices): T {
  if (Object.keys(prices).length === 0) return trip;
  const legacy: PricedBooking = {};
  for (const [participant, field] of Object.entries(LEGACY_PRICE_FIELDS)) {
    const price = prices[participant as TripParticipant];
    if (price !== undefined) legacy[field] = price;
  }
  return { ...trip, ...legacy, prices };
}

/** The booking with what `participant` priced. */
export function withPrice<T extends PricedBooking>(
  trip: T,
  participant: TripParticipant,
  price: number,
): T {
  return withPrices(trip, { ...pricesOf(trip), [participant]: price });
}

/** The booking with the prices `event` carries added to its own (the event's win). */
export function withPricesOf<T extends PricedBooking>(trip: T, event: PricedBooking): T {
  return withPrices(trip, { ...pricesOf(trip), ...pricesOf(event) });
}

/** What the payment charges: the sum of what the steps before it priced. */
export function tripAmount(trip: PricedBooking): number {
  return Object.values(pricesOf(trip)).reduce((sum: number, price) => sum + (price ?? 0), 0);
}
