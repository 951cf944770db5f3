import { UsageError } from '../support/command-line';
import { BOOKING_MODES, BookingMode } from '../support/booking-mode';
import {
  applyFlags,
  bookingModes,
  FlagSetter,
  fraction,
  integer,
  nonEmpty,
  UsageFailure,
} from '../support/cli-flags';
import { TripEndpoints, tripEndpointsFromEnv, tripEnvNames } from '../support/trip-endpoints';

export { BOOKING_MODES } from '../support/booking-mode';
export type { BookingMode } from '../support/booking-mode';

/** Where the running apps and their databases are. */
export type CompareEndpoints = TripEndpoints;

export interface CompareOptions {
  bookings: number;
  concurrency: number;
  /** Probability that a booking carries an injected fault. */
  failureRate: number;
  seed: number;
  modes: BookingMode[];
  endpoints: CompareEndpoints;
  reportDir: string;
  /** Pause between two reads of a pending booking. */
  pollIntervalMs: number;
  /** A booking still pending after this long counts as unfinished. */
  bookingTimeoutMs: number;
  /**
   * How long the write counters must stay still before they are read: PostgreSQL backends
   * flush their statistics lazily, up to 10 s after going idle.
   */
  statsSettleMs: number;
}

export const COMPARE_USAGE = `Usage: npm run compare -- [flags]

  --bookings N            bookings per mode (default 200)
  --concurrency C         bookings in flight at once (default 16)
  --failure-rate P        share of bookings with an injected fault, 0..1 (default 0.3)
  --seed S                seed of the workload, an integer (default 1)
  --modes LIST            comma-separated: orchestrated,choreographed (default both)
  --report-dir DIR        where the JSON and HTML reports go (default reports)
  --poll-interval-ms MS   pause between two reads of a pending booking (default 50)
  --booking-timeout-ms MS a booking still pending after this is unfinished (default 120000)
  --stats-settle-ms MS    quiet time before reading pg_stat_database (default 11000)

Environment: ${tripEnvNames('URL')} and
${tripEnvNames('DATABASE_URL')}.`;

type Env = Record<string, string | undefined>;

export function defaultCompareOptions(env: Env = process.env): CompareOptions {
  return {
    bookings: 200,
    concurrency: 16,
    failureRate: 0.3,
    seed: 1,
    modes: [...BOOKING_MODES],
    endpoints: tripEndpointsFromEnv(env, (message) => new UsageError(message)),
    reportDir: 'reports',
    pollIntervalMs: 50,
    bookingTimeoutMs: 120_000,
    statsSettleMs: 11_000,
  };
}

const usage: UsageFailure = (message) => new UsageError(message);

const FLAGS: Record<string, FlagSetter<CompareOptions>> = {
  '--bookings': (o, v, f) => (o.bookings = integer(v, f, 1, 100_000, usage)),
  '--concurrency': (o, v, f) => (o.concurrency = integer(v, f, 1, 256, usage)),
  '--failure-rate': (o, v, f) => (o.failureRate = fraction(v, f, usage)),
  '--seed': (o, v, f) => (o.seed = integer(v, f, 0, 2 ** 32 - 1, usage)),
  '--modes': (o, v, f) => (o.modes = bookingModes(v, f, usage)),
  '--report-dir': (o, v, f) => (o.reportDir = nonEmpty(v, f, usage)),
  '--poll-interval-ms': (o, v, f) => (o.pollIntervalMs = integer(v, f, 5, 5_000, usage)),
  '--booking-timeout-ms': (o, v, f) =>
    (o.bookingTimeoutMs = integer(v, f, 1_000, 3_600_000, usage)),
  '--stats-settle-ms': (o, v, f) => (o.statsSettleMs = integer(v, f, 0, 120_000, usage)),
};

/** Reads `--flag value` or `--flag=value` pairs over the defaults; throws UsageError. */
export function parseCompareArgs(argv: readonly string[], env: Env = process.env): CompareOptions {
  return applyFlags(argv, defaultCompareOptions(env), FLAGS, usage);
}
