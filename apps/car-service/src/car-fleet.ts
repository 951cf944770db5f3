/**
 * Seeded on first start: enough cars for thousands of bookings, and LUXURY with a single car,
 * to show a sold-out refusal.
 */
export const CAR_FLEET: readonly { carClass: string; cars: number; pricePerDay: number }[] = [
  { carClass: 'ECONOMY', cars: 100_000, pricePerDay: 35 },
  { carClass: 'COMPACT', cars: 100_000, pricePerDay: 45 },
  { carClass: 'SUV', cars: 10_000, pricePerDay: 90 },
  { carClass: 'LUXURY', cars: 1, pricePerDay: 220 },
];
