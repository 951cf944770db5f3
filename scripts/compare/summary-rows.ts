import { ComparisonResult } from './compare';
import { LatencySummary } from '../support/latency-stats';
import { ModeMeasurements } from './measurements';

export interface SummaryRow {
  label: string;
  /** One cell per mode, in the order of `result.modes`. */
  values: string[];
}

type Cell = (m: ModeMeasurements) => string;

const ROWS: [string, Cell][] = [
  ['bookings', (m) => String(m.bookings)],
  ['confirmed', (m) => String(m.confirmed)],
  ['cancelled', (m) => String(m.cancelled)],
  ['compensation failed', (m) => String(m.compensationFailed)],
  ['unfinished / errors', (m) => `${m.unfinished} / ${m.errors}`],
  ['wall time (s)', (m) => m.wallSeconds.toFixed(1)],
  ['throughput (bookings/s)', (m) => m.throughput.toFixed(2)],
  ['confirmed latency p50/p95/p99 (ms)', (m) => triple(m.latency.happy)],
  ['cancelled latency p50/p95/p99 (ms)', (m) => triple(m.latency.compensated)],
  ['time to compensate p50/p95 (ms)', (m) => pair(m.compensation)],
  ['messages published / booking', (m) => m.messages.perBooking.toFixed(2)],
  ['database writes / booking', (m) => m.databaseWrites.perBooking.toFixed(1)],
  ['invariant violations', (m) => String(m.violations.length)],
];

/** The figures the CLI table and the HTML page show, formatted alike. */
export function summaryRows(result: ComparisonResult): SummaryRow[] {
  return ROWS.map(([label, cell]) => ({
    label,
    values: result.modes.map((mode) =>
      mode.measurements ? cell(mode.measurements) : 'not served',
    ),
  }));
}

function ms(value: number | null): string {
  return value === null ? '–' : String(Math.round(value));
}

function triple(s: LatencySummary): string {
  return `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
}

function pair(s: LatencySummary): string {
  return `${ms(s.p50)} / ${ms(s.p95)}`;
}
