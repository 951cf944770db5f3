import { BookingMode } from './compare.options';
import { DatabaseWrites } from './database-writes';
import { LatencySummary, summarize } from '../support/latency-stats';
import { MessageCount } from './message-count';
import { BookingRecord, ModeRun } from './runner';
import { SCENARIOS, Scenario } from './workload';

/** Everything measured of one mode's run. Latencies in ms, throughput in bookings per second. */
export interface ModeMeasurements {
  mode: BookingMode;
  bookings: number;
  confirmed: number;
  cancelled: number;
  compensationFailed: number;
  /** Still pending at the deadline. */
  unfinished: number;
  /** The API failed for them. */
  errors: number;
  wallSeconds: number;
  throughput: number;
  /** From the POST to the first read of the terminal status, as a client sees it. */
  latency: { happy: LatencySummary; compensated: LatencySummary };
  /** From the saga's creation to its last update, as the orchestrator recorded them. */
  serverLatency: { happy: LatencySummary; compensated: LatencySummary };
  byScenario: Record<Scenario, { count: number; latency: LatencySummary }>;
  messages: MessageCount & { perBooking: number };
  databaseWrites: DatabaseWrites & { perBooking: number };
  /** Cancelled bookings: first failed or timed-out step to the end of the undo. */
  compensation: LatencySummary;
  violations: string[];
}

export interface ModeObservations {
  run: ModeRun;
  messages: MessageCount;
  writes: DatabaseWrites;
  compensationMs: number[];
  violations: string[];
}

/** Folds one mode's raw observations into its figures. */
export function measureMode(observed: ModeObservations): ModeMeasurements {
  const { run } = observed;
  const records = run.records;
  const n = records.length;
  const count = (status: string) => records.filter((r) => r.status === status).length;
  const latencies = (status: string, pick: (r: BookingRecord) => number | null) =>
    summarize(
      records
        .filter((r) => r.status === status)
        .map(pick)
        .filter((ms): ms is number => ms !== null),
    );
  const client = (r: BookingRecord) => r.latencyMs;
  const server = (r: BookingRecord) => r.serverLatencyMs;
  const perBooking = (total: number) => (n === 0 ? 0 : total / n);
  return {
    mode: run.mode,
    bookings: n,
    confirmed: count('CONFIRMED'),
    cancelled: count('CANCELLED'),
    compensationFailed: count('COMPENSATION_FAILED'),
    unfinished: count('UNFINISHED'),
    errors: count('ERROR'),
    wallSeconds: run.wallMs / 1000,
    throughput: run.wallMs > 0 ? n / (run.wallMs / 1000) : 0,
    latency: { happy: latencies('CONFIRMED', client), compensated: latencies('CANCELLED', client) },
    serverLatency: {
      happy: latencies('CONFIRMED', server),
      compensated: latencies('CANCELLED', server),
    },
    byScenario: Object.fromEntries(
      SCENARIOS.map((scenario) => {
        const mine = records.filter((r) => r.scenario === scenario);
        return [scenario, { count: mine.length, latency: summarize(mine.map(client)) }];
      }),
    ) as ModeMeasurements['byScenario'],
    messages: { ...observed.messages, perBooking: perBooking(observed.messages.total) },
    databaseWrites: { ...observed.writes, perBooking: perBooking(observed.writes.total) },
    compensation: summarize(observed.compensationMs),
    violations: observed.violations,
  };
}
