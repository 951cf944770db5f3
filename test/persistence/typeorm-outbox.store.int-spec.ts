import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxRecord } from '@app/saga-core/messaging/outbox-store.port';
import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { enqueueOutgoing } from '@app/saga-core/persistence/typeorm/typeorm-messaging';
import { TypeOrmOutboxStore } from '@app/saga-core/persistence/typeorm/typeorm-outbox.store';
import { OutgoingMessage } from '@app/saga-core/transport/message-envelope';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';

function message(n: number): OutgoingMessage {
  return {
    messageId: randomUUID(),
    exchange: 'trip.events',
    routingKey: 'booking.created',
    type: 'booking.created',
    body: { n },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TypeOrmOutboxStore (PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: TypeOrmOutboxStore;

  beforeAll(async () => {
    db = await createTestDatabase('outbox_store');
    dataSource = await openDataSource(db.url, messagingMigrations);
    store = new TypeOrmOutboxStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.dispose();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE saga_outbox');
  });

  const enqueue = (messages: OutgoingMessage[]) =>
    dataSource.transaction((manager) => enqueueOutgoing(manager, messages));
  const publishAll = async (records: OutboxRecord[]) => records;

  it('hands the messages to publish as they were enqueued, in order, and marks them sent', async () => {
    const withHeaders = { ...message(1), headers: { 'x-trace': 'abc', 'x-attempt': 2 } };
    const plain = message(2);
    await enqueue([withHeaders, plain]);
    let handed: OutboxRecord[] = [];

    const sent = await store.relayBatch(10, async (records) => (handed = records));

    expect(sent).toBe(2);
    expect(handed.map((r) => r.message)).toEqual([withHeaders, plain]);
    expect(await store.pendingCount()).toBe(0);
    expect(await store.relayBatch(10, publishAll)).toBe(0);
  });

  it('never lets concurrent relay batches claim the same row', async () => {
    await enqueue(Array.from({ length: 50 }, (_, i) => message(i)));
    const claimed: string[] = [];

    const sent = await Promise.all(
      Array.from({ length: 6 }, () =>
        store.relayBatch(10, async (records) => {
          claimed.push(...records.map((r) => r.id));
          await sleep(50);
          return records;
        }),
      ),
    );

    expect(sent.reduce((a, b) => a + b, 0)).toBe(50);
    expect(claimed).toHaveLength(50);
    expect(new Set(claimed).size).toBe(50);
    expect(await store.pendingCount()).toBe(0);
  });

  it('leaves the rows publish did not confirm unsent, and offers them again first', async () => {
    await enqueue(Array.from({ length: 5 }, (_, i) => message(i)));
    let firstBatch: OutboxRecord[] = [];

    const sent = await store.relayBatch(10, async (records) => {
      firstBatch = records;
      return records.filter((_, i) => i % 2 === 0);
    });

    expect(sent).toBe(3);
    expect(await store.pendingCount()).toBe(2);
    let retried: OutboxRecord[] = [];
    await store.relayBatch(10, async (records) => (retried = records));
    expect(retried.map((r) => r.id)).toEqual([firstBatch[1].id, firstBatch[3].id]);
    expect(await store.pendingCount()).toBe(0);
  });

  it('keeps the whole batch unsent when publish throws', async () => {
    await enqueue([message(1), message(2)]);

    await expect(
      store.relayBatch(10, async () => {
        throw new Error('broker gone');
      }),
    ).rejects.toThrow('broker gone');

    expect(await store.pendingCount()).toBe(2);
  });

  it('counts pending rows, ignoring messages of a rolled-back transaction', async () => {
    await enqueue([message(1), message(2), message(3)]);
    await expect(
      dataSource.transaction(async (manager) => {
        await enqueueOutgoing(manager, [message(4)]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');

    expect(await store.pendingCount()).toBe(3);
    await store.relayBatch(2, publishAll);
    expect(await store.pendingCount()).toBe(1);
  });
});
