/** How a booking's saga is coordinated. */
export const BookingMode = {
  /** The orchestrator sends commands and decides every next step. */
  ORCHESTRATED: 'orchestrated',
  /** The participants react to each other's events; the orchestrator only watches. */
  CHOREOGRAPHED: 'choreographed',
} as const;
export type BookingMode = (typeof BookingMode)[keyof typeof BookingMode];

export const BOOKING_MODES: readonly BookingMode[] = Object.values(BookingMode);
