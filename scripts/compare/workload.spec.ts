import { TRIP_PARTICIPANTS, TripBooking } from '@app/trip-api';
import { buildWorkload, mulberry32, SCENARIOS, TripParticipantName } from './workload';

describe('the comparison workload', () => {
  it('is the same for the same seed, and differs for another', () => {
    expect(buildWorkload(50, 0.3, 1)).toEqual(buildWorkload(50, 0.3, 1));
    expect(buildWorkload(50, 0.3, 2)).not.toEqual(buildWorkload(50, 0.3, 1));
  });

  it('draws from mulberry32, a fixed sequence in [0, 1) for a seed', () => {
    const random = mulberry32(42);
    const values = Array.from({ length: 1000 }, random);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(mulberry32(42)()).toBe(values[0]);
  });

  it('is all happy at failure rate 0 and all faulty at 1', () => {
    expect(buildWorkload(200, 0, 3).every((b) => b.scenario === 'happy' && !b.request.faults)).toBe(
      true,
    );
    expect(buildWorkload(200, 1, 3).every((b) => b.scenario !== 'happy')).toBe(true);
  });

  it('spreads failures evenly over the kinds, each injected where its label says', () => {
    const kinds = SCENARIOS.length - 1;
    const failures = buildWorkload(1_000 * kinds, 1, 9);
    for (const scenario of SCENARIOS.filter((s) => s !== 'happy')) {
      const mine = failures.filter((b) => b.scenario === scenario);
      expect(mine.length).toBeGreaterThan(850);
      expect(mine.length).toBeLessThan(1_150);
      const [at, fault] = scenario.split('-') as [TripParticipantName, string];
      expect(mine.every((b) => b.request.faults?.[at] === fault)).toBe(true);
    }
  });

  it('names a failure of every participant, and a timeout of each after the first', () => {
    expect(SCENARIOS).toEqual([
      'happy',
      ...TRIP_PARTICIPANTS.map((p) => `${p}-fail`),
      ...TRIP_PARTICIPANTS.slice(1).map((p) => `${p}-timeout`),
    ]);
  });

  it('books 1-3 seats, 1-3 nights, 1-2 rooms of the demo catalogue for cust-1..cust-5', () => {
    for (const { request } of buildWorkload(1_000, 0.3, 5)) {
      const { flight, hotel } = request as unknown as Pick<TripBooking, 'flight' | 'hotel'>;
      expect(['FL-100', 'FL-200']).toContain(flight.flightId);
      expect(['HT-200', 'HT-300']).toContain(hotel.hotelId);
      expect(request.customerId).toMatch(/^cust-[1-5]$/);
      expect(flight.seats).toBeGreaterThanOrEqual(1);
      expect(flight.seats).toBeLessThanOrEqual(3);
      expect(hotel.nights).toBeGreaterThanOrEqual(1);
      expect(hotel.nights).toBeLessThanOrEqual(3);
      expect(hotel.rooms).toBeGreaterThanOrEqual(1);
      expect(hotel.rooms).toBeLessThanOrEqual(2);
    }
  });
});
