import { Gauge, register } from 'prom-client';

/** The gauges read at scrape time, by name, each with its help and labels beside `service`. */
export const SCRAPE_GAUGES = {
  saga_instances: {
    help: 'Sagas running (PENDING) and waiting for an operator (COMPENSATION_FAILED)',
    labels: ['definition', 'status'],
  },
  saga_timers_scheduled: { help: 'Saga timers set (reply deadlines, retry backoffs)', labels: [] },
  saga_timers_due: { help: 'Saga timers past their time, not fired yet', labels: [] },
  saga_outbox_backlog: { help: 'Outbox messages not published yet', labels: [] },
  saga_outbox_oldest_age_seconds: {
    help: 'Age of the oldest outbox message not published yet (0 when none)',
    labels: [],
  },
  saga_inbox_rows: {
    help: 'Handled-message ids kept in the inbox (the table statistics estimate)',
    labels: [],
  },
  saga_queue_messages: {
    help: 'Messages ready in a queue this service consumes',
    labels: ['queue'],
  },
  saga_dead_letter_queue_messages: {
    help: 'Messages in the dead-letter queue of a queue this service consumes',
    labels: ['queue'],
  },
} as const satisfies Record<string, { help: string; labels: readonly string[] }>;

export type ScrapeGaugeName = keyof typeof SCRAPE_GAUGES;

export interface GaugeReading {
  gauge: ScrapeGaugeName;
  labels?: Record<string, string>;
  value: number;
}

/** Reads one service's gauges; resolves with what it could read (a part, if a server is down). */
export type GaugeSource = () => Promise<GaugeReading[]>;

/** A scrape asks every gauge at once: they share one reading of every source per scrape. */
const SHARED_FOR_MS = 1_000;

const sources = new Map<string, GaugeSource>();
let lastRead: { at: number; readings: Promise<GaugeReading[]> } | null = null;

/**
 * Adds a service's source to the process-wide gauges that `/metrics` serves, and returns the
 * function that removes it. Several apps in one process (end-to-end tests) each add theirs,
 * told apart by the `service` label.
 */
export function addGaugeSource(service: string, source: GaugeSource): () => void {
  ensureGauges();
  sources.set(service, source);
  lastRead = null;
  return () => {
    if (sources.get(service) === source) sources.delete(service);
    lastRead = null;
  };
}

function ensureGauges(): void {
  for (const [name, spec] of Object.entries(SCRAPE_GAUGES)) {
    if (register.getSingleMetric(name)) continue;
    const gauge: Gauge<string> = new Gauge({
      name,
      help: spec.help,
      labelNames: ['service', ...spec.labels],
      async collect() {
        const readings = await readAll();
        gauge.reset();
        for (const reading of readings) {
          if (reading.gauge === name) gauge.set(reading.labels ?? {}, reading.value);
        }
      },
    });
  }
}

function readAll(): Promise<GaugeReading[]> {
  const now = Date.now();
  if (lastRead && now - lastRead.at < SHARED_FOR_MS) return lastRead.readings;
  const readings = Promise.all(
    [...sources].map(async ([service, source]) => {
      const read = await source().catch(() => []);
      return read.map((r) => ({ ...r, labels: { ...r.labels, service } }));
    }),
  ).then((all) => all.flat());
  lastRead = { at: now, readings };
  return readings;
}
