import { Counter, Gauge, register } from 'prom-client';
import { sharedCounter } from '../health/shared-counter';

const PARKED_TOTAL_METRIC = 'saga_outbox_parked_total';
const PARKED_ROWS_METRIC = 'saga_outbox_parked_rows';

export type OutboxParkedCounter = Counter<'service'>;

/** Outbox rows parked after their last try, in the registry that `/metrics` serves. */
export function outboxParkedCounter(): OutboxParkedCounter {
  return sharedCounter(
    PARKED_TOTAL_METRIC,
    'Outbox rows parked after their last failed try to publish them',
    ['service'],
  );
}

/** Reads one service's parked rows at scrape time; they change when an operator releases them. */
export type ParkedRowsSource = () => Promise<number>;

/** What the shared gauge reads from: one source per service in this process. */
interface ParkedRowsGauge extends Gauge<'service'> {
  sources: Map<string, ParkedRowsSource>;
}

/**
 * `saga_outbox_parked_rows{service}`: rows parked and not released, read from each service's
 * database when `/metrics` is scraped. A source that cannot be read (the database is away)
 * keeps its last value. Registers `source` under `service` and returns its unregistration.
 */
export function trackParkedRows(service: string, source: ParkedRowsSource): () => void {
  const gauge = parkedRowsGauge();
  gauge.sources.set(service, source);
  return () => {
    if (gauge.sources.get(service) === source) gauge.sources.delete(service);
  };
}

function parkedRowsGauge(): ParkedRowsGauge {
  const existing = register.getSingleMetric(PARKED_ROWS_METRIC);
  if (existing && 'sources' in existing) return existing as ParkedRowsGauge;
  const sources = new Map<string, ParkedRowsSource>();
  const gauge = new Gauge<'service'>({
    name: PARKED_ROWS_METRIC,
    help: 'Outbox rows parked and not released, by service',
    labelNames: ['service'],
    async collect() {
      await Promise.all(
        [...sources].map(async ([service, read]) => {
          try {
            this.set({ service }, await read());
          } catch {
            // Reported by /health; the last value stands.
          }
        }),
      );
    },
  });
  return Object.assign(gauge, { sources });
}
