export const BOOKING_MODES = ['orchestrated', 'choreographed'] as const;
export type BookingMode = (typeof BOOKING_MODES)[number];
