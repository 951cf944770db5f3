import { performance } from 'node:perf_hooks';
import { BookingClient } from '../support/booking-client';
import { assertAppsHealthy } from '../support/app-health';
import { machineInfo, MachineInfo } from '../support/machine-info';
import { maskPasswords } from '../support/trip-endpoints';
import { BenchOptions } from './bench.options';
import { bookingStream } from './bench-workload';
import { BookingSample, runClosedLoop } from './closed-loop';
import { ResourceCounters } from './resource-counters';
import { linearSlope } from './slope';

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  bookings: number;
  rssMb: Record<string, number | null>;
  rows: Record<string, number>;
}

/** A series' trend over the second half of the soak, once warm-up effects are gone. */
export interface SoakTrend {
  series: string;
  first: number;
  last: number;
  max: number;
  /** Least-squares slope over the second half, per minute. */
  slopePerMinute: number;
  /** The same per booking completed meanwhile (for tables that grow with the work). */
  perBooking: number | null;
}

export interface SoakResult {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: MachineInfo;
  bookings: number;
  errors: number;
  samples: SoakSample[];
  trends: SoakTrend[];
}

/**
 * Constant load for `soakS` seconds (orchestrated and choreographed bookings alternate
 * between loops, 20 % with a failing step), sampling every app's memory and the size of the
 * outbox, inbox and audit tables every `soakSampleS` seconds.
 */
export async function runSoak(
  options: BenchOptions,
  onSample?: (sample: SoakSample, totalSeconds: number) => void,
): Promise<SoakResult> {
  const startedAt = new Date().toISOString();
  await assertAppsHealthy(options.endpoints);
  const counters = await ResourceCounters.open(options.endpoints);
  const client = new BookingClient(options.endpoints.orchestratorUrl, 35_000);
  const samples: SoakSample[] = [];
  const ended: BookingSample[] = [];
  const t0 = performance.now();
  const sample = async (): Promise<void> => {
    const [memory, rows] = await Promise.all([counters.memory(), counters.tableRows()]);
    const rssMb = Object.fromEntries(Object.entries(memory).map(([k, m]) => [k, m?.rss ?? null]));
    const s = { t: (performance.now() - t0) / 1000, bookings: ended.length, rssMb, rows };
    samples.push(s);
    onSample?.(s, options.soakS ?? 0);
  };
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(sample, () => undefined);
  }, options.soakSampleS * 1000);
  let run;
  try {
    await sample();
    const modes = options.modes;
    const stream = bookingStream(options.seed, 0.2);
    let started = 0;
    run = await runClosedLoop(client, {
      concurrency: options.soakConcurrency,
      warmupMs: 0,
      durationMs: (options.soakS ?? 0) * 1000,
      next: () => ({ mode: modes[started++ % modes.length], request: stream() }),
      snapshot: async () => undefined,
      onBooking: (s) => ended.push(s),
    });
  } finally {
    clearInterval(timer);
    await sampling;
  }
  await sample().finally(() => counters.close());
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { ...options, endpoints: maskPasswords(options.endpoints) },
    machine: machineInfo(),
    bookings: run.samples.filter((s) => s.status !== 'ERROR').length,
    errors: run.samples.filter((s) => s.status === 'ERROR').length,
    samples,
    trends: trendsOf(samples),
  };
}

export function trendsOf(samples: readonly SoakSample[]): SoakTrend[] {
  if (samples.length === 0) return [];
  const half = samples.slice(Math.floor(samples.length / 2));
  const series = (name: string, pick: (s: SoakSample) => number | null): SoakTrend | null => {
    const points = samples.map((s) => [s.t, pick(s)] as const).filter(([, v]) => v !== null);
    const late = half.map((s) => [s.t / 60, pick(s)] as const).filter(([, v]) => v !== null);
    if (points.length === 0) return null;
    const values = points.map(([, v]) => v as number);
    const slope = linearSlope(late.map(([t, v]) => [t, v as number]));
    const bookingSlope = linearSlope(half.map((s) => [s.t / 60, s.bookings]));
    return {
      series: name,
      first: values[0],
      last: values[values.length - 1],
      max: Math.max(...values),
      slopePerMinute: slope,
      perBooking: bookingSlope > 0 ? slope / bookingSlope : null,
    };
  };
  const first = samples[0];
  return [
    ...Object.keys(first.rssMb).map((app) => series(`${app} RSS MB`, (s) => s.rssMb[app])),
    ...Object.keys(first.rows).map((table) => series(`${table} rows`, (s) => s.rows[table])),
  ].filter((t): t is SoakTrend => t !== null);
}
