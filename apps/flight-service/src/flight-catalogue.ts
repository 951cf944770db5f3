/** Seeded on first start. FL-300 has two seats, to show a sold-out refusal. */
export const FLIGHT_CATALOGUE: readonly { flightId: string; seats: number; price: number }[] = [
  { flightId: 'FL-100', seats: 100_000, price: 250 },
  { flightId: 'FL-200', seats: 100_000, price: 180 },
  { flightId: 'FL-300', seats: 2, price: 400 },
];
