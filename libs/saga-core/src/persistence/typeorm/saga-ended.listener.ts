import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { PgSessionOptions } from './pg-session';

/** The PostgreSQL channel on which a transaction that ends a saga notifies, on commit. */
export const SAGA_ENDED_CHANNEL = 'saga_ended';

const RECONNECT_DELAY_MS = 1_000;

/**
 * One LISTEN connection per process, shared by every waiting request: a saga ended by any
 * engine instance on the database wakes the waiters of all of them, with no polling. A lost
 * connection is made again, every second, for as long as the database stays away.
 */
export class SagaEndedListener {
  private readonly logger = new Logger(SagaEndedListener.name);
  private client: Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly onEnded: (sagaId: string) => void,
    /** The app's session limits, as on its pool. */
    private readonly session: PgSessionOptions = {},
  ) {}

  async start(): Promise<void> {
    const client = new Client({
      connectionString: this.connectionString,
      ...this.session,
      application_name: `${this.session.application_name ?? 'saga-engine'} listener`.slice(0, 63),
    });
    client.on('notification', (n) => {
      if (n.channel === SAGA_ENDED_CHANNEL && n.payload) this.onEnded(n.payload);
    });
    client.on('error', (error) => {
      if (this.client !== client) return;
      this.logger.warn(`saga-ended listener lost its connection: ${error.message}`);
      this.client = null;
      client.end().catch(() => undefined);
      this.reconnectLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SAGA_ENDED_CHANNEL}`);
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private reconnectLater(): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.start().then(
        () => this.logger.log('saga-ended listener is listening again'),
        () => this.reconnectLater(),
      );
    }, RECONNECT_DELAY_MS);
    this.retry.unref();
  }
}
