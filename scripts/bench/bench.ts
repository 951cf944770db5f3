import { BookingClient } from '../support/booking-client';
import { assertAppsHealthy } from '../support/app-health';
import { BookingMode } from '../support/booking-mode';
import { MachineInfo, machineInfo } from '../support/machine-info';
import { maskPasswords } from '../support/trip-endpoints';
import { AmqpProbeResult, amqpProbe } from './amqp-probe';
import { BenchOptions } from './bench.options';
import { bookingStream } from './bench-workload';
import { BookingSample, runClosedLoop } from './closed-loop';
import { PgbenchResult, pgbenchProbe } from './pgbench-probe';
import { CounterSnapshot, DatabaseTransport, deltaOf, ResourceCounters } from './resource-counters';
import { figuresOf, medianFigures, RunFigures } from './run-figures';

export interface MachineLimits {
  pgbench: PgbenchResult | null;
  amqp: AmqpProbeResult | null;
  problems: string[];
}

/** Our figures over the machine's: how close to what PostgreSQL and RabbitMQ allow. */
export interface LimitRatios {
  /** min(pgbench tps / commits per booking, confirmed publishes/s / messages per booking). */
  ceilingBookingsPerSecond: number | null;
  /** bookings/s ÷ that ceiling. */
  ofCeiling: number | null;
  /** One message hop each (half a probe round trip), one after the other. */
  floorLatencyMs: number | null;
  /** p50 ÷ that floor. */
  p50OverFloor: number | null;
}

export interface Configuration {
  mode: BookingMode;
  failureRate: number;
  concurrency: number;
}

export interface ConfigurationResult extends Configuration {
  runs: RunFigures[];
  median: RunFigures;
  ratios: LimitRatios;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: MachineInfo;
  processes: Record<string, number | null>;
  /** How each app reached its database during the runs. */
  databaseTransports?: Record<string, DatabaseTransport>;
  limits: MachineLimits | null;
  configurations: ConfigurationResult[];
}

export interface BenchHooks {
  onPhase?: (message: string) => void;
  onRunStart?: (label: string, seconds: number) => void;
  onBooking?: (sample: BookingSample) => void;
  onRunEnd?: (figures: RunFigures) => void;
}

/** Every configuration of the grid, in the order they run. */
export function configurations(options: BenchOptions): Configuration[] {
  return options.modes.flatMap((mode) =>
    options.failureRates.flatMap((failureRate) =>
      options.concurrency.map((concurrency) => ({ mode, failureRate, concurrency })),
    ),
  );
}

/**
 * The grid: each mode × failure rate × concurrency, `repeat` times, closed-loop against the
 * running apps; the machine's limits measured first, in the same run.
 */
export async function runBench(
  options: BenchOptions,
  hooks: BenchHooks = {},
): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  await assertAppsHealthy(options.endpoints);
  const limits = options.probes ? await measureLimits(options, hooks) : null;
  const counters = await ResourceCounters.open(options.endpoints);
  const client = new BookingClient(options.endpoints.orchestratorUrl, 35_000);
  const results: ConfigurationResult[] = [];
  let databaseTransports: Record<string, DatabaseTransport> | undefined;
  try {
    let seed = options.seed;
    for (const config of configurations(options)) {
      const runs: RunFigures[] = [];
      for (let i = 0; i < options.repeat; i++) {
        const label = `${config.mode} ${config.failureRate * 100}% fail ×${config.concurrency} #${i + 1}`;
        hooks.onRunStart?.(label, options.warmupS + options.durationS);
        runs.push(await measureRun(client, counters, config, options, seed++, hooks));
        hooks.onRunEnd?.(runs[runs.length - 1]);
      }
      const median = medianFigures(runs);
      results.push({ ...config, runs, median, ratios: ratiosOf(median, limits) });
    }
    databaseTransports = await counters.databaseTransports();
  } finally {
    await counters.close();
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { ...options, endpoints: maskPasswords(options.endpoints) },
    machine: machineInfo(),
    processes: counters.pids,
    databaseTransports,
    limits,
    configurations: results,
  };
}

async function measureRun(
  client: BookingClient,
  counters: ResourceCounters,
  config: Configuration,
  options: BenchOptions,
  seed: number,
  hooks: BenchHooks,
): Promise<RunFigures> {
  const snapshots: CounterSnapshot[] = [];
  const run = await runClosedLoop(client, {
    concurrency: config.concurrency,
    warmupMs: options.warmupS * 1000,
    durationMs: options.durationS * 1000,
    next: ((stream) => () => ({ mode: config.mode, request: stream() }))(
      bookingStream(seed, config.failureRate),
    ),
    snapshot: async () => {
      snapshots.push(await counters.snapshot());
    },
    onBooking: hooks.onBooking,
  });
  const memory = await counters.memory();
  const peaks = Object.fromEntries(
    Object.entries(memory).map(([app, m]) => [app, m?.peak ?? null]),
  ) as RunFigures['peakRssMb'];
  return figuresOf(run, deltaOf(snapshots[0], snapshots[1]), peaks);
}

async function measureLimits(options: BenchOptions, hooks: BenchHooks): Promise<MachineLimits> {
  const problems: string[] = [];
  hooks.onPhase?.('measuring PostgreSQL: pgbench -N, 16 clients, 5 s');
  const pgbench = await pgbenchProbe(options.endpoints.databases.orchestrator).catch(
    (error: unknown) => {
      problems.push(`pgbench: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    },
  );
  hooks.onPhase?.('measuring RabbitMQ: confirmed publishes and request→reply on quorum queues');
  const amqp = await amqpProbe(options.amqpUrl).catch((error: unknown) => {
    problems.push(`AMQP probe: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  return { pgbench, amqp, problems };
}

export function ratiosOf(figures: RunFigures, limits: MachineLimits | null): LimitRatios {
  const ceilings: number[] = [];
  if (limits?.pgbench && figures.commitsPerBooking) {
    ceilings.push(limits.pgbench.tps / figures.commitsPerBooking);
  }
  if (limits?.amqp && figures.messagesPerBooking) {
    ceilings.push(limits.amqp.confirmedPerSecond / figures.messagesPerBooking);
  }
  const ceiling = ceilings.length > 0 ? Math.min(...ceilings) : null;
  const floor =
    limits?.amqp && figures.messagesPerBooking
      ? (figures.messagesPerBooking * limits.amqp.roundTripP50Ms) / 2
      : null;
  return {
    ceilingBookingsPerSecond: ceiling,
    ofCeiling: ceiling ? figures.bookingsPerSecond / ceiling : null,
    floorLatencyMs: floor,
    p50OverFloor: floor && figures.p50 !== null ? figures.p50 / floor : null,
  };
}
