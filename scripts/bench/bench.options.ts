import { BOOKING_MODES, BookingMode } from '../support/booking-mode';
import {
  applyFlags,
  bookingModes,
  FlagSetter,
  fraction,
  integer,
  integerList,
  nonEmpty,
  UsageFailure,
} from '../support/cli-flags';
import { TripEndpoints, tripEndpointsFromEnv, tripEnvNames } from '../support/trip-endpoints';
import { UsageError } from '../support/command-line';

export interface BenchOptions {
  /** Measured seconds of each run, after its warm-up. */
  durationS: number;
  warmupS: number;
  /** Runs of each configuration; the median is quoted. */
  repeat: number;
  /** Bookings in flight: one run per value. */
  concurrency: number[];
  modes: BookingMode[];
  /** Share of bookings with one step told to fail, one run per value. */
  failureRates: number[];
  /** Measure the machine's limits (pgbench, AMQP probe) too. */
  probes: boolean;
  /** Seconds of constant load instead of the grid; null for the grid. */
  soakS: number | null;
  soakSampleS: number;
  soakConcurrency: number;
  endpoints: TripEndpoints;
  amqpUrl: string;
  reportDir: string;
  /** The page whose table is rewritten between its markers; null leaves it alone. */
  docsPath: string | null;
  seed: number;
}

export const BENCH_USAGE = `Usage: npm run bench -- [flags]   (start the apps first: npm start)

  --duration S         measured seconds per run (default 15)
  --warmup S           warm-up seconds before each run (default 3)
  --repeat N           runs per configuration; the median is quoted (default 3)
  --concurrency LIST   bookings in flight, comma-separated (default 1,16,64)
  --modes LIST         orchestrated,choreographed (default both)
  --failure-rates LIST shares of bookings with a failing step (default 0,0.2)
  --quick              --duration 5 --warmup 2 --repeat 1: a quick before/after check
  --no-probes          skip measuring the machine's limits (pgbench, AMQP)
  --soak S             S seconds of constant load instead: memory and table sizes over time
  --soak-sample S      seconds between two soak samples (default 10)
  --soak-concurrency C bookings in flight during the soak (default 16)
  --report-dir DIR     where the JSON report goes (default reports)
  --docs FILE          the page that gets the summary table (default docs/benchmarks.md; '-' none)
  --seed S             seed of the workload (default 1)

Environment: ${tripEnvNames('URL')}, AMQP_URL and
${tripEnvNames('DATABASE_URL')}.`;

type Env = Record<string, string | undefined>;

const usage: UsageFailure = (message) => new UsageError(message);

export function defaultBenchOptions(env: Env = process.env): BenchOptions {
  return {
    durationS: 15,
    warmupS: 3,
    repeat: 3,
    concurrency: [1, 16, 64],
    modes: [...BOOKING_MODES],
    failureRates: [0, 0.2],
    probes: true,
    soakS: null,
    soakSampleS: 10,
    soakConcurrency: 16,
    endpoints: tripEndpointsFromEnv(env, usage),
    amqpUrl: env.AMQP_URL?.trim() || 'amqp://guest:guest@localhost:5672',
    reportDir: 'reports',
    docsPath: 'docs/benchmarks.md',
    seed: 1,
  };
}

const FLAGS: Record<string, FlagSetter<BenchOptions>> = {
  '--duration': (o, v, f) => (o.durationS = integer(v, f, 1, 3_600, usage)),
  '--warmup': (o, v, f) => (o.warmupS = integer(v, f, 0, 600, usage)),
  '--repeat': (o, v, f) => (o.repeat = integer(v, f, 1, 20, usage)),
  '--concurrency': (o, v, f) => (o.concurrency = integerList(v, f, 1, 512, usage)),
  '--modes': (o, v, f) => (o.modes = bookingModes(v, f, usage)),
  '--failure-rates': (o, v, f) =>
    (o.failureRates = v.split(',').map((rate) => fraction(rate, f, usage))),
  '--soak': (o, v, f) => (o.soakS = integer(v, f, 10, 86_400, usage)),
  '--soak-sample': (o, v, f) => (o.soakSampleS = integer(v, f, 1, 3_600, usage)),
  '--soak-concurrency': (o, v, f) => (o.soakConcurrency = integer(v, f, 1, 512, usage)),
  '--report-dir': (o, v, f) => (o.reportDir = nonEmpty(v, f, usage)),
  '--docs': (o, v, f) => (o.docsPath = nonEmpty(v, f, usage) === '-' ? null : v),
  '--seed': (o, v, f) => (o.seed = integer(v, f, 0, 2 ** 32 - 1, usage)),
};

const SWITCHES: Record<string, (o: BenchOptions) => void> = {
  '--quick': (o) => Object.assign(o, { durationS: 5, warmupS: 2, repeat: 1 }),
  '--no-probes': (o) => (o.probes = false),
};

/** Reads the flags over the defaults, left to right; throws UsageError. */
export function parseBenchArgs(argv: readonly string[], env: Env = process.env): BenchOptions {
  return applyFlags(argv, defaultBenchOptions(env), FLAGS, usage, SWITCHES);
}
