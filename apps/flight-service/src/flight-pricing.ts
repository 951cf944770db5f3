/** What `seats` seats cost on a flight priced `pricePerSeat` a seat. */
export function flightPrice(pricePerSeat: number, seats: number): number {
  return pricePerSeat * seats;
}
