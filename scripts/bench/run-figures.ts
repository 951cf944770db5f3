import { summarize } from '../support/latency-stats';
import { ClosedLoopRun } from './closed-loop';
import { APPS, AppName, CounterDelta } from './resource-counters';

type Resource = AppName | 'postgres' | 'rabbitmq';

/** What one measured window gives; latencies in ms, CPU in ms per booking. */
export interface RunFigures {
  bookings: number;
  errors: number;
  confirmed: number;
  cancelled: number;
  bookingsPerSecond: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  cpuMsPerBooking: Record<Resource, number | null>;
  commitsPerBooking: number | null;
  messagesPerBooking: number | null;
  /** Rows inserted, updated or deleted in every app's database, per booking. */
  rowWritesPerBooking: number | null;
  /** Statements run by every app's database (round trips), per booking; null if not counted. */
  statementsPerBooking: number | null;
  /** Write system calls of all the apps' processes (socket writes), per booking. */
  writeCallsPerBooking: number | null;
  /** Each app's peak resident memory (VmHWM) at the end of the run, MB. */
  peakRssMb: Record<AppName, number | null>;
}

export function figuresOf(
  run: ClosedLoopRun,
  delta: CounterDelta,
  peakRssMb: Record<AppName, number | null>,
): RunFigures {
  const ended = run.samples.filter((s) => s.status !== 'ERROR');
  const n = ended.length;
  const latency = summarize(ended.map((s) => s.latencyMs));
  const per = (value: number | null, scale = 1) =>
    value === null || n === 0 ? null : (value * scale) / n;
  const cpu = Object.fromEntries(
    Object.entries(delta.cpuSeconds).map(([k, v]) => [k, per(v, 1000)]),
  ) as Record<Resource, number | null>;
  return {
    bookings: n,
    errors: run.samples.length - n,
    confirmed: ended.filter((s) => s.status === 'CONFIRMED').length,
    cancelled: ended.filter((s) => s.status === 'CANCELLED').length,
    bookingsPerSecond: n / ((run.windowEnd - run.windowStart) / 1000),
    p50: latency.p50,
    p95: latency.p95,
    p99: latency.p99,
    cpuMsPerBooking: cpu,
    commitsPerBooking: per(delta.commits),
    messagesPerBooking: per(delta.messages),
    rowWritesPerBooking: per(delta.rowWrites),
    statementsPerBooking: per(delta.statements),
    writeCallsPerBooking: per(delta.appWriteCalls),
    peakRssMb,
  };
}

/** Field by field median of several runs of one configuration (nulls ignored). */
export function medianFigures(runs: readonly RunFigures[]): RunFigures {
  const med = (pick: (r: RunFigures) => number | null): number | null => {
    const values = runs
      .map(pick)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    if (values.length === 0) return null;
    const mid = values.length >> 1;
    return values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  };
  const num = (pick: (r: RunFigures) => number) => med(pick) ?? 0;
  const resources = Object.keys(runs[0]?.cpuMsPerBooking ?? {}) as Resource[];
  return {
    bookings: num((r) => r.bookings),
    errors: num((r) => r.errors),
    confirmed: num((r) => r.confirmed),
    cancelled: num((r) => r.cancelled),
    bookingsPerSecond: num((r) => r.bookingsPerSecond),
    p50: med((r) => r.p50),
    p95: med((r) => r.p95),
    p99: med((r) => r.p99),
    cpuMsPerBooking: Object.fromEntries(
      resources.map((k) => [k, med((r) => r.cpuMsPerBooking[k])]),
    ) as Record<Resource, number | null>,
    commitsPerBooking: med((r) => r.commitsPerBooking),
    messagesPerBooking: med((r) => r.messagesPerBooking),
    rowWritesPerBooking: med((r) => r.rowWritesPerBooking),
    statementsPerBooking: med((r) => r.statementsPerBooking),
    writeCallsPerBooking: med((r) => r.writeCallsPerBooking ?? null),
    // Peaks are maxima, not medians: a limit holds only if every run kept under it.
    peakRssMb: Object.fromEntries(
      APPS.map((app) => {
        const peaks = runs.map((r) => r.peakRssMb[app]).filter((v): v is number => v !== null);
        return [app, peaks.length === 0 ? null : Math.max(...peaks)];
      }),
    ) as Record<AppName, number | null>,
  };
}
