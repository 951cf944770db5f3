import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/** The PostgreSQL channel on which a transaction that ends a saga notifies, on commit. */
export const SAGA_ENDED_CHANNEL = 'saga_ended';

const RECONNECT_DELAY_MS = 1_000;

/**
 * One LISTEN connection per process, shared by every waiting request: a saga ended by any
 * engine instance on the database wakes the waiters of all of them, with no polling.
 */
export class SagaEndedListener {
  private readonly logger = new Logger(SagaEndedListener.name);
  private client: Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly onEnded: (sagaId: string) => void,
  ) {}

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString });
    client.on('notification', (n) => {
      if (n.channel === SAGA_ENDED_CHANNEL && n.payload) this.onEnded(n.payload);
    });
    client.on('error', (error) => {
      this.logger.warn(`saga-ended listener lost its connection: ${error.message}`);
      this.reconnectLater(client);
    });
    await client.connect();
    await client.query(`LISTEN ${SAGA_ENDED_CHANNEL}`);
    this.client = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private reconnectLater(failed: Client): void {
    failed.end().catch(() => undefined);
    if (this.closed || this.client !== failed) return;
    this.client = null;
    this.retry = setTimeout(() => {
      this.start().catch(() => this.reconnectLater(new Client()));
    }, RECONNECT_DELAY_MS);
  }
}
