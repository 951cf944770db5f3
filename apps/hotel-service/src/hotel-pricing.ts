/** What a stay costs: every room, every night, at the nightly price. */
export function hotelPrice(pricePerNight: number, rooms: number, nights: number): number {
  return pricePerNight * rooms * nights;
}
