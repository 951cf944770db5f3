import { Logger } from '@nestjs/common';
import { OutgoingMessage } from '../transport/message-envelope';
import { MessageHandler, MessageTransport, QueueSpec } from '../transport/message-transport';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';
import {
  OutboxRecord,
  OutboxRetryPolicy,
  OutboxStore,
  ParkedOutboxRow,
  PublishFailure,
  PublishOutcome,
  RelayBatchResult,
} from './outbox-store.port';

interface MemoryRow {
  record: OutboxRecord;
  sent: boolean;
  claimed: boolean;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  parkedAt: Date | null;
}

class MemoryOutboxStore implements OutboxStore {
  private readonly rows: MemoryRow[] = [];
  batches = 0;
  active = 0;
  maxActive = 0;
  /** While set, passes wait on it after claiming: lets a test act in the middle of a pass. */
  gate: Promise<void> | null = null;

  add(count: number): void {
    for (let i = 0; i < count; i++) {
      const id = String(this.rows.length + 1);
      const message = { messageId: `m-${id}`, exchange: '', routingKey: 'q', type: 't', body: {} };
      this.rows.push({
        record: { id, message },
        sent: false,
        claimed: false,
        attempts: 0,
        nextAttemptAt: 0,
        lastError: null,
        parkedAt: null,
      });
    }
  }

  /** The age below which each pass was told to leave rows alone. */
  readonly minAges: number[] = [];

  rowsFrom(first: number): OutboxRecord[] {
    return this.rows.slice(first).map((row) => row.record);
  }

  row(id: string): MemoryRow {
    return this.rows.find((row) => row.record.id === id) as MemoryRow;
  }

  async relayBatch(
    limit: number,
    publish: (records: OutboxRecord[]) => Promise<PublishOutcome>,
    minAgeMs: number,
    policy: OutboxRetryPolicy,
  ): Promise<RelayBatchResult> {
    this.minAges.push(minAgeMs);
    this.batches++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const now = Date.now();
    const claimed = this.rows
      .filter((r) => !r.sent && !r.claimed && !r.parkedAt && r.nextAttemptAt <= now)
      .slice(0, limit);
    claimed.forEach((row) => (row.claimed = true));
    try {
      await this.gate;
      const outcome = await publish(claimed.map((row) => row.record));
      const confirmed = new Set(outcome.confirmed.map((r) => r.id));
      claimed.forEach((row) => (row.sent = confirmed.has(row.record.id)));
      const parked = await this.recordFailures(outcome.failed, policy);
      return { sent: confirmed.size, failed: outcome.failed.length, parked };
    } finally {
      claimed.forEach((row) => (row.claimed = false));
      this.active--;
    }
  }

  async markSent(ids: readonly string[]): Promise<void> {
    for (const row of this.rows) if (ids.includes(row.record.id)) row.sent = true;
  }

  async recordFailures(
    failures: readonly PublishFailure[],
    policy: OutboxRetryPolicy,
  ): Promise<ParkedOutboxRow[]> {
    const parked: ParkedOutboxRow[] = [];
    for (const { id, error } of failures) {
      const row = this.row(id);
      if (row.sent || row.parkedAt) continue;
      const delay = Math.min(policy.maxRetryDelayMs, policy.retryDelayMs * 2 ** row.attempts);
      row.attempts++;
      row.lastError = error;
      row.nextAttemptAt = Date.now() + delay;
      if (row.attempts >= policy.maxAttempts) {
        row.parkedAt = new Date();
        parked.push(this.parked(row));
      }
    }
    return parked;
  }

  async pendingCount(): Promise<number> {
    return this.rows.filter((row) => !row.sent).length;
  }

  async parkedCount(): Promise<number> {
    return (await this.parkedRows()).length;
  }

  async parkedRows(): Promise<ParkedOutboxRow[]> {
    return this.rows.filter((r) => !r.sent && r.parkedAt).map((r) => this.parked(r));
  }

  async releaseParked(ids?: readonly string[]): Promise<number> {
    const released = this.rows.filter(
      (r) => !r.sent && r.parkedAt && (!ids || ids.includes(r.record.id)),
    );
    for (const row of released)
      Object.assign(row, { parkedAt: null, attempts: 0, nextAttemptAt: 0 });
    return released.length;
  }

  private parked(row: MemoryRow): ParkedOutboxRow {
    const { id, message } = row.record;
    return {
      id,
      messageId: message.messageId,
      exchange: message.exchange,
      routingKey: message.routingKey,
      type: message.type,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: new Date(0),
      parkedAt: row.parkedAt as Date,
    };
  }
}

class FakeTransport extends MessageTransport {
  readonly published: string[] = [];
  connected = true;
  readonly failing = new Set<string>();

  async publish(message: OutgoingMessage): Promise<void> {
    if (this.failing.has(message.messageId)) throw new Error('nack');
    this.published.push(message.messageId);
  }
  async declareQueue(_queue: QueueSpec): Promise<void> {}
  async declareExchange(_name: string): Promise<void> {}
  async consume(_queue: QueueSpec, _handler: MessageHandler): Promise<void> {}
  isConnected(): boolean {
    return this.connected;
  }
  async close(): Promise<void> {}
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('OutboxRelay failures and committed rows', () => {
  let store: MemoryOutboxStore;
  let transport: FakeTransport;
  let relay: OutboxRelay;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    store = new MemoryOutboxStore();
    transport = new FakeTransport();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await relay.stop();
    warn.mockRestore();
  });

  function startRelay(options: OutboxRelayOptions = {}): void {
    relay = new OutboxRelay(store, transport, { pollIntervalMs: 60_000, ...options });
    relay.start();
  }

  it('keeps unconfirmed messages for a later pass, with one warning per pass', async () => {
    store.add(5);
    transport.failing.add('m-2').add('m-4').add('m-5');
    startRelay({ retryDelayMs: 20 });
    await until(() => transport.published.length === 2);
    await settle();

    expect(warn).toHaveBeenCalledTimes(1);
    expect(await store.pendingCount()).toBe(3);
    expect(['2', '4', '5'].map((id) => store.row(id).attempts)).toEqual([1, 1, 1]);

    transport.failing.clear();
    // Each failed row waits for its next try, even for a kick.
    await until(() => ['2', '4', '5'].every((id) => store.row(id).nextAttemptAt <= Date.now()));
    relay.kick();
    await until(() => transport.published.length === 5);
    expect(transport.published.slice(2)).toEqual(['m-2', 'm-4', 'm-5']);
  });

  it('tries a row the broker refuses again after a backoff, and parks it after its last try', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store.add(3);
    transport.failing.add('m-1');
    startRelay({ pollIntervalMs: 10, graceMs: 0, maxAttempts: 3, retryDelayMs: 1 });

    await until(() => store.row('1').parkedAt !== null);
    expect(transport.published).toEqual(['m-2', 'm-3']);
    expect(store.row('1')).toMatchObject({ attempts: 3, lastError: 'nack', sent: false });
    expect(error).toHaveBeenCalledWith(
      expect.stringMatching(/Parked outbox row 1 .* after 3 tries/),
    );
    // Parked, it is offered no more, however many passes run.
    const passes = store.batches;
    await until(() => store.batches > passes + 3);
    expect(store.row('1').attempts).toBe(3);

    transport.failing.clear();
    expect(await store.releaseParked(['1'])).toBe(1);
    await until(() => transport.published.includes('m-1'));
    error.mockRestore();
  });

  it('keeps publishing younger rows while a full batch of older ones waits for its next try', async () => {
    store.add(6);
    for (const id of ['m-1', 'm-2', 'm-3']) transport.failing.add(id);
    startRelay({ batchSize: 3, maxAttempts: 100, retryDelayMs: 60_000 });

    await until(() => transport.published.length === 3);
    expect(transport.published).toEqual(['m-4', 'm-5', 'm-6']);
    expect([1, 2, 3].map((id) => store.row(String(id)).attempts)).toEqual([1, 1, 1]);
  });

  it('does not count a failure as a try while the broker connection is down', async () => {
    store.add(1);
    transport.failing.add('m-1');
    transport.publish = async (message) => {
      transport.connected = false;
      throw new Error(`connection lost while publishing ${message.messageId}`);
    };
    startRelay();
    await until(() => store.batches === 1 && store.active === 0);

    expect(store.row('1')).toMatchObject({ attempts: 0, parkedAt: null, sent: false });
  });

  it('publishes rows its process committed at once, and marks them sent once confirmed', async () => {
    startRelay();
    await settle();
    store.add(2);
    const passes = store.batches;

    relay.publishCommitted(store.rowsFrom(0));
    await until(() => transport.published.length === 2);
    await relay.stop();

    expect(transport.published).toEqual(['m-1', 'm-2']);
    expect(await store.pendingCount()).toBe(0);
    expect(store.batches).toBe(passes);
  });

  it('leaves what the broker did not confirm to the polling pass, once past the grace period', async () => {
    startRelay({ pollIntervalMs: 10, graceMs: 1_234 });
    await settle();
    store.add(2);
    transport.failing.add('m-2');

    relay.publishCommitted(store.rowsFrom(0));
    await until(() => transport.published.includes('m-1'));
    await until(() => store.minAges.includes(1_234));
    await relay.stop();

    expect(await store.pendingCount()).toBe(1);
    // A kick (a caller that only enqueued) asks for rows of any age.
    expect(store.minAges[0]).toBe(0);
  });
});
