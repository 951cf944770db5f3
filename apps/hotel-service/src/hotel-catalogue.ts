/** Seeded on first start. HT-400 has a single room, to show a sold-out refusal. */
export const HOTEL_CATALOGUE: readonly { hotelId: string; rooms: number; pricePerNight: number }[] =
  [
    { hotelId: 'HT-200', rooms: 100_000, pricePerNight: 120 },
    { hotelId: 'HT-300', rooms: 100_000, pricePerNight: 90 },
    { hotelId: 'HT-400', rooms: 1, pricePerNight: 300 },
  ];
