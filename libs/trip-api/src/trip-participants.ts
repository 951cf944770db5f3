import { CAR_REFUSAL_CODES, CarRequestDto } from './car';
import { FlightRequestDto } from './flight-request.dto';
import { HotelRequestDto } from './hotel-request.dto';

/** The participants of a trip, in saga order. */
export const TRIP_PARTICIPANTS = ['flight', 'hotel', 'car', 'payment'] as const;
export type TripParticipant = (typeof TRIP_PARTICIPANTS)[number];

/** The names a participant's events take (see `TripEvents`): those of a reservation or a charge. */
export type TripEventVocabulary = 'reservation' | 'charge';
export const TRIP_EVENT_VOCABULARY = {
  flight: 'reservation',
  hotel: 'reservation',
  car: 'reservation',
  payment: 'charge',
} as const satisfies Record<TripParticipant, TripEventVocabulary>;

/**
 * The codes each participant refuses a step with (`TripRefusedError`), besides the undo that
 * comes too late (`ALREADY_CANCELLED`), which any of them may answer; `TripErrorCode` lists them.
 */
export const TRIP_REFUSAL_CODES = {
  flight: ['SOLD_OUT', 'UNKNOWN_FLIGHT'],
  hotel: ['SOLD_OUT', 'UNKNOWN_HOTEL'],
  car: ['SOLD_OUT', ...Object.values(CAR_REFUSAL_CODES)],
  payment: ['UNKNOWN_CUSTOMER', 'INSUFFICIENT_FUNDS'],
} as const satisfies Record<TripParticipant, readonly string[]>;

/**
 * What a booking asks of each participant that needs more than the booking's root fields: its
 * part of `POST /bookings` and of every trip event, under its name. An optional step's part
 * is optional.
 */
export interface TripParts {
  flight: { flightId: string; seats: number };
  hotel: { hotelId: string; nights: number; rooms: number };
  /** The car rental is an optional step: a booking without `car` does not run it. */
  car?: { carClass: string; days: number };
}
export type TripPart = keyof TripParts;

/** A part's DTO class, and whether every booking carries that part (its key is not optional). */
export interface TripPartDto<T> {
  dto: new () => NonNullable<T>;
  required: undefined extends T ? false : true;
}

/**
 * Each part's DTO class, which checks it in `POST /bookings` and in every trip event (see
 * `TripPartsBefore`): a required part must be there, an optional step's part may be left out.
 */
export const TRIP_PART_DTOS: { readonly [P in TripPart]-?: TripPartDto<TripParts[P]> } = {
  flight: { dto: FlightRequestDto, required: true },
  hotel: { dto: HotelRequestDto, required: true },
  car: { dto: CarRequestDto, required: false },
};

/** The participants that have a part, in saga order. */
export const TRIP_PARTS: readonly TripPart[] = TRIP_PARTICIPANTS.filter(
  (name): name is TripPart => name in TRIP_PART_DTOS,
);

/** Draws the parts of a sample booking: seeded for a workload, or always the first and least. */
export interface SampleDraw {
  pick<T>(items: readonly T[]): T;
  between(min: number, max: number): number;
}

/**
 * What the tools know of one participant besides the saga definition: where its app runs,
 * its database, how its business state adds up, and what a booking asks of it. The saga's
 * steps, their commands and events come from the definition; this is the rest, in one place.
 */
export interface TripParticipantProfile {
  /** The saga step it runs, and the key of its part of `POST /bookings` and of `faults`. */
  name: TripParticipant;
  /** Its Nest project: `apps/<app>`, built to `dist/apps/<app>/src/main.js`. */
  app: string;
  /** Its default HTTP port, and its database's default name. */
  port: number;
  database: string;
  /** Its broker queues: the saga's commands, and the choreography's events. */
  commandQueue: string;
  eventQueue: string;
  /**
   * Its stock invariant: one row per stock item with `id`, `used` (taken from the stock) and
   * `held` (what its live holdings add up to); every row must have `used = held`.
   */
  ledger: { what: string; sql: string; used: string; held: string };
  /**
   * Its holdings per booking: `table` has `booking_id` and `status`; a row whose `owner` is
   * null is an undo that came before the work (a tombstone), which counts as absent.
   */
  holding: { table: string; owner: string; held: string };
  /** Its state of one booking over HTTP (`:bookingId` stands for the booking); 404 if none. */
  statePath: string;
  /** Its part of a booking request, or null when the booking's root fields are all it needs. */
  request(draw: SampleDraw): Record<string, unknown> | null;
}

const serviceOf = (name: TripParticipant, port: number) => ({
  name,
  app: `${name}-service`,
  port,
  database: `${name}_service`,
  commandQueue: `${name}.commands`,
  eventQueue: `${name}-service.events`,
});

export const TRIP_PARTICIPANT_PROFILES: Readonly<Record<TripParticipant, TripParticipantProfile>> =
  {
    flight: {
      ...serviceOf('flight', 3001),
      ledger: {
        what: 'flight',
        used: 'used',
        held: 'reserved',
        sql: `SELECT f.flight_id AS id, f.seats_total - f.seats_available AS used,
                     COALESCE(SUM(r.seats) FILTER (WHERE r.status = 'RESERVED'), 0) AS held
                FROM flights f LEFT JOIN flight_reservations r ON r.flight_id = f.flight_id
               GROUP BY f.flight_id`,
      },
      holding: { table: 'flight_reservations', owner: 'flight_id', held: 'RESERVED' },
      statePath: '/reservations/:bookingId',
      request: ({ pick, between }) => ({
        flight: { flightId: pick(['FL-100', 'FL-200']), seats: between(1, 3) },
      }),
    },
    hotel: {
      ...serviceOf('hotel', 3002),
      ledger: {
        what: 'hotel',
        used: 'used',
        held: 'reserved',
        sql: `SELECT h.hotel_id AS id, h.rooms_total - h.rooms_available AS used,
                     COALESCE(SUM(r.rooms) FILTER (WHERE r.status = 'RESERVED'), 0) AS held
                FROM hotels h LEFT JOIN hotel_reservations r ON r.hotel_id = h.hotel_id
               GROUP BY h.hotel_id`,
      },
      holding: { table: 'hotel_reservations', owner: 'hotel_id', held: 'RESERVED' },
      statePath: '/reservations/:bookingId',
      request: ({ pick, between }) => ({
        hotel: { hotelId: pick(['HT-200', 'HT-300']), nights: between(1, 3), rooms: between(1, 2) },
      }),
    },
    car: {
      ...serviceOf('car', 3004),
      ledger: {
        what: 'car class',
        used: 'used',
        held: 'rented',
        sql: `SELECT c.car_class AS id, c.cars_total - c.cars_available AS used,
                     COUNT(r.booking_id) FILTER (WHERE r.status = 'RESERVED') AS held
                FROM cars c LEFT JOIN car_rentals r ON r.car_class = c.car_class
               GROUP BY c.car_class`,
      },
      holding: { table: 'car_rentals', owner: 'car_class', held: 'RESERVED' },
      statePath: '/rentals/:bookingId',
      // Every other booking rents a car; the smallest booking does not.
      request: ({ pick, between }) =>
        between(0, 1) === 1
          ? { car: { carClass: pick(['ECONOMY', 'COMPACT', 'SUV']), days: between(1, 5) } }
          : null,
    },
    payment: {
      ...serviceOf('payment', 3003),
      ledger: {
        what: 'account',
        used: 'spent',
        held: 'charged',
        sql: `SELECT a.customer_id AS id, a.initial_balance - a.balance AS used,
                     COALESCE(SUM(p.amount) FILTER (WHERE p.status = 'CHARGED'), 0) AS held
                FROM accounts a LEFT JOIN payments p ON p.customer_id = a.customer_id
               GROUP BY a.customer_id`,
      },
      holding: { table: 'payments', owner: 'customer_id', held: 'CHARGED' },
      statePath: '/payments/:bookingId',
      request: () => null,
    },
  };

/** The profiles in saga order. */
export const tripParticipantProfiles = (): TripParticipantProfile[] =>
  TRIP_PARTICIPANTS.map((name) => TRIP_PARTICIPANT_PROFILES[name]);

/** The smallest booking every participant accepts: each list's first item, each range's least. */
export const SMALLEST: SampleDraw = { pick: (items) => items[0], between: (min) => min };
