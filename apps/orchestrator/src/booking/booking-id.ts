const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Booking ids are UUIDs: anything else names no booking (404), it is not a bad request. */
export function isBookingId(id: string): boolean {
  return UUID.test(id);
}
