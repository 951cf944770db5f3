import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { PgSessionOptions } from './pg-session';

const RECONNECT_DELAY_MS = 1_000;

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per store, shared by every subscriber on every channel: a waiting
 * request, a dashboard's event stream. The connection opens with the first subscription and
 * closes with the last; a lost one is made again, every second, for as long as the database
 * stays away, and listens again to every channel that still has a subscriber.
 */
export class PgNotificationListener {
  private readonly logger = new Logger(PgNotificationListener.name);
  private readonly handlers = new Map<string, Set<Handler>>();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    /** The app's session limits, as on its pool. */
    private readonly session: PgSessionOptions = {},
  ) {}

  /** Resolves once the channel is listened to; fails if the database cannot be reached. */
  async subscribe(channel: string, handler: Handler): Promise<{ close(): Promise<void> }> {
    const handlers = this.handlers.get(channel) ?? new Set<Handler>();
    const first = handlers.size === 0;
    handlers.add(handler);
    this.handlers.set(channel, handlers);
    try {
      const client = await this.connection();
      if (first && this.client === client) await client.query(`LISTEN ${ident(channel)}`);
    } catch (error) {
      await this.unsubscribe(channel, handler);
      throw error;
    }
    return { close: () => this.unsubscribe(channel, handler) };
  }

  private async unsubscribe(channel: string, handler: Handler): Promise<void> {
    const handlers = this.handlers.get(channel);
    if (!handlers?.delete(handler) || handlers.size > 0) return;
    this.handlers.delete(channel);
    if (this.handlers.size === 0) {
      clearTimeout(this.retry);
      const client = this.client;
      this.client = null;
      await client?.end().catch(() => undefined);
      return;
    }
    await this.client?.query(`UNLISTEN ${ident(channel)}`).catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      connectionString: this.connectionString,
      ...this.session,
      application_name: `${this.session.application_name ?? 'saga-engine'} listener`.slice(0, 63),
    });
    client.on('notification', (n) => {
      if (n.payload === undefined) return;
      for (const handler of this.handlers.get(n.channel) ?? []) handler(n.payload);
    });
    client.on('error', (error) => {
      if (this.client !== client) return;
      this.logger.warn(`notification listener lost its connection: ${error.message}`);
      this.client = null;
      client.end().catch(() => undefined);
      this.reconnectLater();
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${ident(channel)}`);
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.handlers.size === 0) {
      // Every subscriber left while this connection was being made.
      await client.end().catch(() => undefined);
      throw new Error('notification listener closed');
    }
    this.client = client;
    return client;
  }

  private reconnectLater(): void {
    if (this.handlers.size === 0) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.connection().then(
        () => this.logger.log('notification listener is listening again'),
        () => this.reconnectLater(),
      );
    }, RECONNECT_DELAY_MS);
    this.retry.unref();
  }
}

/** Channel names are the library's own constants; quoting keeps LISTEN safe all the same. */
function ident(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
