import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { deadLetterQueueOf, MessageTransport } from '../transport/message-transport';
import { SagaStatus } from '../model/saga-status';
import { EngineGauges, GAUGE_STORE, GaugeStore } from './gauge-store.port';
import { addGaugeSource, GaugeReading } from './scrape-gauges';

/** A scrape does not wait longer than this for a server that does not answer. */
const READ_TIMEOUT_MS = 2_000;

/**
 * This service's gauges, read when `/metrics` is scraped and never in between: the outbox
 * backlog and age and the inbox size (every service), the timers and the running sagas (an
 * orchestrator), and the depth of the queues it consumes and of their dead-letter queues. A
 * server that is down leaves its gauges out of that scrape.
 */
@Injectable()
export class SagaGaugesCollector implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private remove: (() => void) | null = null;

  constructor(
    @Inject(SAGA_CORE_OPTIONS) private readonly options: SagaCoreOptions,
    private readonly transport: MessageTransport,
    /** None on a storage without gauges (in memory): the queue gauges alone are read. */
    @Inject(GAUGE_STORE) private readonly store: GaugeStore | null,
  ) {}

  onApplicationBootstrap(): void {
    this.remove = addGaugeSource(this.options.serviceName, () => this.read());
  }

  beforeApplicationShutdown(): void {
    this.remove?.();
    this.remove = null;
  }

  private async read(): Promise<GaugeReading[]> {
    const store = this.store;
    const parts = await Promise.all([
      store ? this.messaging(store) : [],
      store && this.options.orchestrator ? this.engine(store) : [],
      ...this.transport.consumedQueues().map((queue) => this.queue(queue)),
    ]);
    return parts.flat();
  }

  private async messaging(store: GaugeStore): Promise<GaugeReading[]> {
    const read = await within(store.messaging());
    if (!read) return [];
    return [
      { gauge: 'saga_outbox_backlog', value: read.outboxBacklog },
      { gauge: 'saga_outbox_oldest_age_seconds', value: read.outboxOldestAgeSeconds },
      { gauge: 'saga_inbox_rows', value: read.inboxRows },
    ];
  }

  private async engine(store: GaugeStore): Promise<GaugeReading[]> {
    const read = await within(store.engine());
    if (!read) return [];
    return [
      { gauge: 'saga_timers_scheduled', value: read.timersScheduled },
      { gauge: 'saga_timers_due', value: read.timersDue },
      ...this.instances(read.instances),
    ];
  }

  /** Every definition of this app in both statuses, at 0 when none: a gauge, not an absence. */
  private instances(counted: EngineGauges['instances']): GaugeReading[] {
    const names = new Set((this.options.orchestrator?.definitions ?? []).map((d) => d.spec.name));
    for (const row of counted) names.add(row.definition);
    return [...names].flatMap((definition) =>
      [SagaStatus.PENDING, SagaStatus.COMPENSATION_FAILED].map((status): GaugeReading => {
        const row = counted.find((r) => r.definition === definition && r.status === status);
        return { gauge: 'saga_instances', labels: { definition, status }, value: row?.count ?? 0 };
      }),
    );
  }

  private async queue(queue: string): Promise<GaugeReading[]> {
    const deadLetters = deadLetterQueueOf(queue);
    const [ready, dead] = await Promise.all([
      within(this.transport.queueStats(queue)),
      within(this.transport.queueStats(deadLetters)),
    ]);
    return [
      ...(ready
        ? [{ gauge: 'saga_queue_messages' as const, labels: { queue }, value: ready.messages }]
        : []),
      ...(dead
        ? [
            {
              gauge: 'saga_dead_letter_queue_messages' as const,
              labels: { queue: deadLetters },
              value: dead.messages,
            },
          ]
        : []),
    ];
  }
}

/** The value, or null if it failed or took longer than a scrape should wait. */
async function within<T>(read: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
