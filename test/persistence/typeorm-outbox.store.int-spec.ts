import { randomUUID } from 'node:crypto';
import {
  OutboxRecord,
  OutboxRetryPolicy,
  PublishOutcome,
} from '@app/saga-core/messaging/outbox-store.port';
import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { enqueueOutgoing } from '@app/saga-core/persistence/typeorm/typeorm-messaging';
import { TypeOrmOutboxStore } from '@app/saga-core/persistence/typeorm/typeorm-outbox.store';
import { OutgoingMessage } from '@app/saga-core/transport/message-envelope';
import { useTestDataSource } from '../support/postgres';

function message(n: number): OutgoingMessage {
  return {
    messageId: randomUUID(),
    exchange: 'trip.events',
    routingKey: 'booking.created',
    type: 'booking.created',
    body: { n },
  };
}

/** Failing rows are due again at once: each batch below is one more try. */
const RETRY_NOW: OutboxRetryPolicy = { maxAttempts: 10, retryDelayMs: 0, maxRetryDelayMs: 0 };
/** Failing rows wait a minute, far longer than any test: they are out of the way. */
const RETRY_LATER: OutboxRetryPolicy = {
  maxAttempts: 10,
  retryDelayMs: 60_000,
  maxRetryDelayMs: 600_000,
};

/** A promise and the function that resolves it. */
function signal(): { done: Promise<void>; fire(): void } {
  let fire = (): void => undefined;
  const done = new Promise<void>((resolve) => (fire = resolve));
  return { done, fire };
}

describe('TypeOrmOutboxStore (PostgreSQL)', () => {
  const pg = useTestDataSource('outbox_store', messagingMigrations);
  let store: TypeOrmOutboxStore;

  beforeAll(() => {
    store = new TypeOrmOutboxStore(pg.dataSource);
  });

  beforeEach(async () => {
    await pg.dataSource.query('TRUNCATE saga_outbox');
  });

  const enqueue = (messages: OutgoingMessage[]) =>
    pg.dataSource.transaction((manager) => enqueueOutgoing(manager, messages));
  const confirmAll = async (records: OutboxRecord[]): Promise<PublishOutcome> => ({
    confirmed: records,
    failed: [],
  });
  const failAll = async (records: OutboxRecord[]): Promise<PublishOutcome> => ({
    confirmed: [],
    failed: records.map((r) => ({ id: r.id, error: `RabbitMQ returned ${r.message.type}` })),
  });
  const relay = (
    publish: (records: OutboxRecord[]) => Promise<PublishOutcome>,
    limit = 10,
    policy = RETRY_NOW,
  ) => store.relayBatch(limit, publish, 0, policy);

  it('hands the messages to publish as they were enqueued, in order, and marks them sent', async () => {
    const withHeaders = { ...message(1), headers: { 'x-trace': 'abc', 'x-attempt': 2 } };
    const plain = message(2);
    await enqueue([withHeaders, plain]);
    let handed: OutboxRecord[] = [];

    const result = await relay(async (records) => confirmAll((handed = records)));

    expect(result).toEqual({ sent: 2, failed: 0, parked: [] });
    expect(handed.map((r) => r.message)).toEqual([withHeaders, plain]);
    expect(await store.pendingCount()).toBe(0);
    expect((await relay(confirmAll)).sent).toBe(0);
  });

  it('never lets concurrent relay batches claim the same row', async () => {
    await enqueue(Array.from({ length: 50 }, (_, i) => message(i)));
    const claimed: string[] = [];
    // Every batch holds its claim until all 50 rows are claimed at once: with SKIP LOCKED they
    // are (six batches of ten), a relay that waited for locks would never get there.
    const allClaimed = signal();

    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        relay(async (records) => {
          claimed.push(...records.map((r) => r.id));
          if (claimed.length >= 50) allClaimed.fire();
          await allClaimed.done;
          return confirmAll(records);
        }),
      ),
    );

    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(50);
    expect(claimed).toHaveLength(50);
    expect(new Set(claimed).size).toBe(50);
    expect(await store.pendingCount()).toBe(0);
  });

  it('offers rows first again that publish neither confirmed nor failed (an outage), counting no try', async () => {
    await enqueue(Array.from({ length: 5 }, (_, i) => message(i)));
    let firstBatch: OutboxRecord[] = [];

    const result = await relay(async (records) => {
      firstBatch = records;
      return { confirmed: records.filter((_, i) => i % 2 === 0), failed: [] };
    });

    expect(result).toEqual({ sent: 3, failed: 0, parked: [] });
    expect(await store.pendingCount()).toBe(2);
    let retried: OutboxRecord[] = [];
    await relay(async (records) => confirmAll((retried = records)));
    expect(retried.map((r) => r.id)).toEqual([firstBatch[1].id, firstBatch[3].id]);
    expect(await store.pendingCount()).toBe(0);
  });

  it('counts a failed try with its error, and holds the row back until its next try is due', async () => {
    await enqueue([message(1), message(2)]);
    expect(await store.parkedRows()).toEqual([]);

    const result = await relay(
      async ([bad, good]) => ({
        confirmed: [good],
        failed: [{ id: bad.id, error: 'RabbitMQ returned t: no queue gone' }],
      }),
      10,
      RETRY_LATER,
    );

    expect(result).toEqual({ sent: 1, failed: 1, parked: [] });
    const [row] = await pg.dataSource.query<
      { attempts: number; last_error: string; wait_s: number; parked: boolean }[]
    >(
      `SELECT attempts, last_error, parked_at IS NOT NULL AS parked,
              extract(epoch FROM next_attempt_at - now())::int AS wait_s
         FROM saga_outbox WHERE sent_at IS NULL`,
    );
    expect(row).toMatchObject({
      attempts: 1,
      last_error: 'RabbitMQ returned t: no queue gone',
      parked: false,
    });
    expect(row.wait_s).toBeGreaterThanOrEqual(55);
    expect(row.wait_s).toBeLessThanOrEqual(60);
    // Not due: no batch offers it.
    const handed: OutboxRecord[] = [];
    expect(await relay(async (records) => confirmAll((handed.push(...records), records)))).toEqual({
      sent: 0,
      failed: 0,
      parked: [],
    });
    expect(handed).toEqual([]);
    expect(await store.pendingCount()).toBe(1);
  });

  it('doubles the wait after each failed try, up to its cap', async () => {
    await enqueue([message(1)]);
    const [{ id }] = await pg.dataSource.query<{ id: string }[]>(`SELECT id FROM saga_outbox`);
    const policy = { maxAttempts: 10, retryDelayMs: 10_000, maxRetryDelayMs: 35_000 };
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await store.recordFailures([{ id: String(id), error: 'returned' }], policy);
      const [row] = await pg.dataSource.query<{ wait_s: number }[]>(
        `SELECT round(extract(epoch FROM next_attempt_at - now()))::int AS wait_s FROM saga_outbox`,
      );
      waits.push(row.wait_s);
    }

    expect(waits).toEqual([10, 20, 35, 35]);
  });

  it('parks a row after its last try, lists it, never offers it again, and releases it', async () => {
    await enqueue([message(1)]);
    const policy = { maxAttempts: 3, retryDelayMs: 0, maxRetryDelayMs: 0 };

    const results = [];
    for (let i = 0; i < 4; i++) results.push(await relay(failAll, 10, policy));

    expect(results.map((r) => [r.failed, r.parked.length])).toEqual([
      [1, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
    const parked = await store.parkedRows();
    expect(parked).toEqual([
      expect.objectContaining({
        exchange: 'trip.events',
        routingKey: 'booking.created',
        type: 'booking.created',
        attempts: 3,
        lastError: 'RabbitMQ returned booking.created',
        parkedAt: expect.any(Date),
        createdAt: expect.any(Date),
      }),
    ]);
    expect(results[2].parked).toEqual(parked);
    expect(await store.parkedCount()).toBe(1);
    expect(await store.pendingCount()).toBe(1);

    expect(await store.releaseParked([parked[0].id])).toBe(1);
    expect(await store.parkedCount()).toBe(0);
    expect((await relay(confirmAll)).sent).toBe(1);
    expect(await store.releaseParked()).toBe(0);
  });

  it('hands younger rows to the next batch while a full batch of failing rows waits', async () => {
    const failing = Array.from({ length: 5 }, (_, i) => message(i));
    const younger = Array.from({ length: 5 }, (_, i) => message(10 + i));
    await enqueue(failing);
    await enqueue(younger);

    const first = await relay(failAll, 5, RETRY_LATER);
    const second = await relay(confirmAll, 5, RETRY_LATER);

    expect(first).toEqual({ sent: 0, failed: 5, parked: [] });
    expect(second).toEqual({ sent: 5, failed: 0, parked: [] });
    const messages = await pg.dataSource.query<{ message_id: string }[]>(
      `SELECT message_id FROM saga_outbox WHERE sent_at IS NOT NULL ORDER BY id`,
    );
    expect(messages.map((m) => m.message_id)).toEqual(younger.map((m) => m.messageId));
  });

  it('keeps the whole batch unsent when publish throws', async () => {
    await enqueue([message(1), message(2)]);

    await expect(
      relay(async () => {
        throw new Error('broker gone');
      }),
    ).rejects.toThrow('broker gone');

    expect(await store.pendingCount()).toBe(2);
  });

  it('counts pending rows, ignoring messages of a rolled-back transaction', async () => {
    await enqueue([message(1), message(2), message(3)]);
    await expect(
      pg.dataSource.transaction(async (manager) => {
        await enqueueOutgoing(manager, [message(4)]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');

    expect(await store.pendingCount()).toBe(3);
    await relay(confirmAll, 2);
    expect(await store.pendingCount()).toBe(1);
  });
});
