import { TRIP_APPS, TripAppName } from '../support/trip-endpoints';
import { figuresOf, medianFigures, RunFigures } from './run-figures';
import { linearSlope } from './slope';

/** The same figure for every app. */
const byApp = <T>(value: T) =>
  Object.fromEntries(TRIP_APPS.map((app) => [app, value])) as Record<TripAppName, T>;
const rss = { ...byApp(80), orchestrator: 100 };

describe('run figures', () => {
  it('counts the bookings that ended in the window and divides the counters by them', () => {
    const samples = [10, 20, 30].map((latencyMs, i) => ({
      startedAt: 0,
      endedAt: 1_000 + i,
      latencyMs,
      status: i === 2 ? 'CANCELLED' : 'CONFIRMED',
    }));
    const figures = figuresOf(
      { windowStart: 0, windowEnd: 2_000, samples },
      {
        cpuSeconds: {
          ...byApp(0),
          orchestrator: 0.03,
          flight: null,
          postgres: 0.06,
          rabbitmq: 0,
        },
        commits: 12,
        messages: 18,
        rowWrites: 150,
        statements: null,
        appWriteCalls: 45,
      },
      rss,
    );
    expect(figures).toMatchObject({
      bookings: 3,
      confirmed: 2,
      cancelled: 1,
      bookingsPerSecond: 1.5,
      p50: 20,
      p99: 30,
      commitsPerBooking: 4,
      messagesPerBooking: 6,
      rowWritesPerBooking: 50,
      statementsPerBooking: null,
      writeCallsPerBooking: 15,
    });
    expect(figures.cpuMsPerBooking.orchestrator).toBeCloseTo(10);
    expect(figures.cpuMsPerBooking.flight).toBeNull();
  });

  it('quotes the median of each figure and the highest peak of memory', () => {
    const run = (rate: number, peak: number): RunFigures =>
      ({
        bookings: rate,
        errors: 0,
        confirmed: rate,
        cancelled: 0,
        bookingsPerSecond: rate,
        p50: rate / 10,
        p95: null,
        p99: null,
        cpuMsPerBooking: { orchestrator: rate },
        commitsPerBooking: 4,
        messagesPerBooking: 6,
        peakRssMb: { ...rss, orchestrator: peak },
      }) as RunFigures;
    const median = medianFigures([run(100, 120), run(300, 110), run(200, 150)]);
    expect(median.bookingsPerSecond).toBe(200);
    expect(median.p50).toBe(20);
    expect(median.p95).toBeNull();
    expect(median.peakRssMb.orchestrator).toBe(150);
  });

  it('fits a least-squares slope', () => {
    expect(
      linearSlope([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
    ).toBeCloseTo(2);
    expect(linearSlope([[0, 1]])).toBe(0);
  });
});
