import { Logger } from '@nestjs/common';
import { InMemoryOutboxRow, InMemoryOutboxStore } from '../testing/in-memory-outbox.store';
import { OutgoingMessage } from '../transport/message-envelope';
import { MessageHandler, MessageTransport, QueueSpec } from '../transport/message-transport';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';
import {
  OutboxRecord,
  OutboxRetryPolicy,
  PublishOutcome,
  RelayBatchResult,
} from './outbox-store.port';

/** The in-memory outbox, watched: passes counted, and a gate to act in the middle of one. */
class MemoryOutboxStore extends InMemoryOutboxStore {
  batches = 0;
  active = 0;
  maxActive = 0;
  /** While set, passes wait on it after claiming: lets a test act in the middle of a pass. */
  gate: Promise<void> | null = null;
  /** The age below which each pass was told to leave rows alone. */
  readonly minAges: number[] = [];

  add(count: number): void {
    for (let i = 0; i < count; i++) {
      const id = String(this.all().length + 1);
      this.enqueue([{ messageId: `m-${id}`, exchange: '', routingKey: 'q', type: 't', body: {} }]);
    }
  }

  rowsFrom(first: number): OutboxRecord[] {
    return this.all()
      .slice(first)
      .map((row) => row.record);
  }

  override row(id: string): InMemoryOutboxRow {
    const row = super.row(id);
    if (!row) throw new Error(`no outbox row ${id}`);
    return row;
  }

  override async relayBatch(
    limit: number,
    publish: (records: OutboxRecord[]) => Promise<PublishOutcome>,
    minAgeMs: number,
    policy: OutboxRetryPolicy,
  ): Promise<RelayBatchResult> {
    this.minAges.push(minAgeMs);
    this.batches++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      // Rows of any age: these specs are about the relay's passes, not the store's grace.
      return await super.relayBatch(
        limit,
        async (records) => {
          await this.gate;
          return publish(records);
        },
        0,
        policy,
      );
    } finally {
      this.active--;
    }
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

describe('OutboxRelay', () => {
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

  it('coalesces a burst of kicks into a single pass', async () => {
    startRelay();
    await settle();
    const before = store.batches;
    store.add(5);
    for (let i = 0; i < 50; i++) relay.kick();
    await settle();

    expect(store.batches - before).toBe(1);
    expect(transport.published).toHaveLength(5);
  });

  it('goes on at once while passes send full batches, without waiting for the poll', async () => {
    store.add(25);
    startRelay({ batchSize: 10 });
    await until(() => transport.published.length === 25);

    expect(store.batches).toBe(3);
    expect(await store.pendingCount()).toBe(0);
  });

  it('runs one more pass for kicks during a pass, and never two passes at once', async () => {
    let release = () => {};
    store.gate = new Promise((resolve) => (release = resolve));
    store.add(1);
    startRelay();
    await until(() => store.active === 1);

    store.add(3);
    relay.kick();
    relay.kick();
    await settle();
    expect(store.batches).toBe(1);
    store.gate = null;
    release();
    await until(() => transport.published.length === 4);

    expect(store.batches).toBe(2);
    expect(store.maxActive).toBe(1);
  });

  it('skips passes quietly while the transport is disconnected', async () => {
    transport.connected = false;
    store.add(2);
    startRelay();
    relay.kick();
    await settle();

    expect(store.batches).toBe(0);
    expect(warn).not.toHaveBeenCalled();

    transport.connected = true;
    relay.kick();
    await until(() => transport.published.length === 2);
  });

  it('polls for rows no kick announced (another process, or a crash)', async () => {
    startRelay({ pollIntervalMs: 20 });
    await settle();
    store.add(3);

    await until(() => transport.published.length === 3);
  });

  it('stop() waits for the running pass, and later kicks do nothing', async () => {
    let release = () => {};
    store.gate = new Promise((resolve) => (release = resolve));
    store.add(2);
    startRelay();
    await until(() => store.active === 1);

    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(transport.published).toHaveLength(2);

    store.add(1);
    relay.kick();
    await settle();
    expect(store.batches).toBe(1);
  });
});
