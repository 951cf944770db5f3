import { Logger } from '@nestjs/common';
import { InMemoryOutboxRow, InMemoryOutboxStore } from '../testing/in-memory-outbox.store';
import { OutgoingMessage } from '../transport/message-envelope';
import { MessageHandler, MessageTransport, QueueSpec } from '../transport/message-transport';
import {
  OutboxRecord,
  OutboxRetryPolicy,
  PublishOutcome,
  RelayBatchResult,
} from './outbox-store.port';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';

/** The relay specs' harness (not built into the library: `*.fixture.ts`). */

/** The in-memory outbox, watched: passes counted, and a gate to act in the middle of one. */
export class MemoryOutboxStore extends InMemoryOutboxStore {
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

export class FakeTransport extends MessageTransport {
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

/** Polls a condition the code under test makes true: a real signal, within a second. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

/** Lets the event loop turn a few times: what was scheduled with `setImmediate` has run. */
export async function turns(count = 3): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((r) => setImmediate(r));
}

/** One spec's relay, store, transport and silenced warnings, fresh for each case. */
export interface RelayHarness {
  store: MemoryOutboxStore;
  transport: FakeTransport;
  relay: OutboxRelay;
  warn: jest.SpyInstance;
  /** Starts a relay on the store and transport, polling every minute unless told otherwise. */
  start(options?: OutboxRelayOptions): OutboxRelay;
}

/** Registers the hooks that make a fresh harness before each case and stop it after. */
export function relayHarness(): RelayHarness {
  const h = {} as RelayHarness;
  beforeEach(() => {
    h.store = new MemoryOutboxStore();
    h.transport = new FakeTransport();
    h.warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    h.start = (options = {}) => {
      h.relay = new OutboxRelay(h.store, h.transport, { pollIntervalMs: 60_000, ...options });
      h.relay.start();
      return h.relay;
    };
  });
  afterEach(async () => {
    await h.relay?.stop();
    h.warn.mockRestore();
  });
  return h;
}
