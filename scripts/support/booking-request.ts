import { TRIP_PARTICIPANTS, TripParticipant, tripParticipantProfiles } from '@app/trip-api';
import { SampleDraw } from '@app/trip-api';

/** The trip's participants, as `TRIP_PARTICIPANTS` lists them. */
export type TripParticipantName = TripParticipant;

/** A fault a booking may ask one participant to inject. */
export type InjectedFault = 'fail' | 'timeout' | 'fail-compensation';

/**
 * The body of `POST /bookings`, less its `mode`: the customer, each participant's part as its
 * profile draws it (`flight`, `hotel`, …) and the faults.
 */
export interface BookingRequest {
  customerId: string;
  faults?: Partial<Record<TripParticipantName, InjectedFault>>;
  [part: string]: unknown;
}

/** A booking for `customerId` with every participant's part drawn by `draw`. */
export function sampleBooking(customerId: string, draw: SampleDraw): BookingRequest {
  const parts = tripParticipantProfiles().map((profile) => profile.request(draw) ?? {});
  return Object.assign({ customerId }, ...parts) as BookingRequest;
}

/** A seeded draw over `random`. */
export function seededDraw(random: () => number): SampleDraw {
  return {
    pick: <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)],
    between: (min: number, max: number) => min + Math.floor(random() * (max - min + 1)),
  };
}

export { TRIP_PARTICIPANTS };
