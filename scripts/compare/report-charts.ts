import { TRIP_APPS } from '../support/trip-endpoints';
import { ComparisonResult, ModeResult } from './compare';
import { ModeMeasurements } from './measurements';
import { SCENARIOS } from './workload';

/** A Chart.js configuration: plain JSON, so the page can carry it inline. */
export interface ChartConfig {
  type: string;
  data: { labels?: string[]; datasets: Record<string, unknown>[] };
  options: Record<string, unknown>;
}

export interface NamedChart {
  id: string;
  title: string;
  config: ChartConfig;
  wide?: boolean;
}

const MODE_COLORS: Record<string, string> = { orchestrated: '#2563eb', choreographed: '#9333ea' };
const OUTCOME_COLORS = ['#059669', '#d97706', '#dc2626', '#6b7280'];
const OUTCOMES: [string, (m: ModeMeasurements) => number][] = [
  ['confirmed', (m) => m.confirmed],
  ['cancelled', (m) => m.cancelled],
  ['compensation failed', (m) => m.compensationFailed],
  ['unfinished or error', (m) => m.unfinished + m.errors],
];

/** The page's charts, built from the measured figures and the per-booking records. */
export function buildCharts(result: ComparisonResult): NamedChart[] {
  const measured = result.modes.filter(
    (m): m is ModeResult & { measurements: ModeMeasurements } => m.measurements !== undefined,
  );
  const labels = measured.map((m) => m.mode);
  const color = (mode: string) => MODE_COLORS[mode] ?? '#0f766e';
  const perMode = (label: string, value: (m: ModeMeasurements) => number) => ({
    label,
    data: measured.map((m) => round(value(m.measurements))),
    backgroundColor: measured.map((m) => color(m.mode)),
  });
  const cdf = (status: string) =>
    measured.map((m) => ({
      label: m.mode,
      data: cdfPoints(m.records.filter((r) => r.status === status).map((r) => r.latencyMs)),
      borderColor: color(m.mode),
      backgroundColor: color(m.mode),
      showLine: true,
      pointRadius: 0,
      borderWidth: 2,
    }));
  const cdfOptions = axes('latency to a terminal status (ms, log scale)', 'bookings (%)', {
    x: { type: 'logarithmic' },
    y: { min: 0, max: 100 },
  });

  return [
    {
      id: 'latency-happy',
      title: 'Latency of confirmed bookings (cumulative)',
      config: { type: 'scatter', data: { datasets: cdf('CONFIRMED') }, options: cdfOptions },
    },
    {
      id: 'latency-compensated',
      title: 'Latency of cancelled bookings (cumulative)',
      config: { type: 'scatter', data: { datasets: cdf('CANCELLED') }, options: cdfOptions },
    },
    {
      id: 'outcomes',
      title: 'Outcomes per mode',
      config: {
        type: 'bar',
        data: {
          labels,
          datasets: OUTCOMES.map(([label, value], i) => ({
            label,
            data: measured.map((m) => value(m.measurements)),
            backgroundColor: OUTCOME_COLORS[i],
          })),
        },
        options: axes('', 'bookings', { x: { stacked: true }, y: { stacked: true } }),
      },
    },
    {
      id: 'throughput',
      title: 'Throughput (bookings per second, closed loop)',
      config: {
        type: 'bar',
        data: { labels, datasets: [perMode('bookings/s', (m) => m.throughput)] },
        options: { ...axes('', 'bookings/s'), plugins: { legend: { display: false } } },
      },
    },
    {
      id: 'messages',
      title: 'Messages published per booking',
      config: {
        type: 'bar',
        data: { labels, datasets: [perMode('messages', (m) => m.messages.perBooking)] },
        options: { ...axes('', 'messages / booking'), plugins: { legend: { display: false } } },
      },
    },
    {
      id: 'writes',
      title: `Database writes per booking (${TRIP_APPS.length} databases)`,
      config: {
        type: 'bar',
        data: { labels, datasets: [perMode('rows', (m) => m.databaseWrites.perBooking)] },
        options: { ...axes('', 'rows written / booking'), plugins: { legend: { display: false } } },
      },
    },
    {
      id: 'compensation',
      title: 'Time to compensate a cancelled booking (ms)',
      config: grouped(
        ['p50', 'p95'],
        measured.map((m) => ({
          label: m.mode,
          color: color(m.mode),
          values: [m.measurements.compensation.p50, m.measurements.compensation.p95],
        })),
        'ms',
      ),
    },
    {
      id: 'scenarios',
      title: 'Median latency by scenario (ms, log scale)',
      wide: true,
      config: {
        ...grouped(
          [...SCENARIOS],
          measured.map((m) => ({
            label: m.mode,
            color: color(m.mode),
            values: SCENARIOS.map((s) => m.measurements.byScenario[s].latency.p50),
          })),
          'ms',
        ),
        options: axes('', 'ms', { y: { type: 'logarithmic', beginAtZero: false, min: 10 } }),
      },
    },
  ];
}

function grouped(
  labels: string[],
  series: { label: string; color: string; values: (number | null)[] }[],
  yTitle: string,
): ChartConfig {
  return {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s) => ({
        label: s.label,
        data: s.values.map((v) => (v === null ? null : round(v))),
        backgroundColor: s.color,
      })),
    },
    options: axes('', yTitle),
  };
}

function axes(
  xTitle: string,
  yTitle: string,
  extra: { x?: Record<string, unknown>; y?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const title = (text: string) => ({ display: text !== '', text });
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    scales: {
      x: { title: title(xTitle), ...extra.x },
      y: { title: title(yTitle), beginAtZero: true, ...extra.y },
    },
  };
}

/** Each sorted latency with the share of bookings at or under it. */
function cdfPoints(values: number[]): { x: number; y: number }[] {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.map((x, i) => ({ x: round(x), y: round(((i + 1) / sorted.length) * 100) }));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
