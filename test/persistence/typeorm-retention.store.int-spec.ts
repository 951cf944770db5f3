import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RetentionJob } from '@app/saga-core/messaging/retention-job';
import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { TypeOrmRetentionStore } from '@app/saga-core/persistence/typeorm/typeorm-retention.store';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';

const HOUR = 3_600_000;

describe('RetentionJob on PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let job: RetentionJob;

  const options = { inboxRetentionMs: HOUR, outboxRetentionMs: HOUR, intervalMs: 0 };

  async function inbox(ageMs: number): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO saga_inbox (consumer, message_id, processed_at)
       VALUES ('svc', $1, now() - make_interval(secs => $2::int / 1000.0))`,
      [id, ageMs],
    );
    return id;
  }

  async function outbox(sentAgoMs: number | null, createdAgoMs = 2 * HOUR): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, created_at, sent_at)
       VALUES ($1, '', 'q', 't', '{}', now() - make_interval(secs => $2::int / 1000.0),
               CASE WHEN $3::int IS NULL THEN NULL
                    ELSE now() - make_interval(secs => $3::int / 1000.0) END)`,
      [id, createdAgoMs, sentAgoMs],
    );
    return id;
  }

  const inboxIds = async () =>
    ((await dataSource.query(`SELECT message_id FROM saga_inbox`)) as { message_id: string }[])
      .map((r) => r.message_id)
      .sort();
  const outboxIds = async () =>
    ((await dataSource.query(`SELECT message_id FROM saga_outbox`)) as { message_id: string }[])
      .map((r) => r.message_id)
      .sort();

  beforeAll(async () => {
    db = await createTestDatabase('retention');
    dataSource = await openDataSource(db.url, messagingMigrations);
    job = new RetentionJob(new TypeOrmRetentionStore(dataSource), options);
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE saga_inbox, saga_outbox, saga_event_joins`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.dispose();
  });

  it('prunes inbox ids and sent outbox rows past their retention, and nothing younger', async () => {
    await inbox(2 * HOUR);
    const recentInbox = await inbox(60_000);
    await outbox(2 * HOUR);
    const recentlySent = await outbox(60_000);

    expect(await job.runOnce()).toEqual({ inbox: 1, outbox: 1, joins: 0 });

    expect(await inboxIds()).toEqual([recentInbox]);
    expect(await outboxIds()).toEqual([recentlySent]);
  });

  it('prunes the joins of parallel groups untouched for longer than the inbox retention', async () => {
    const join = (saga: string, ageMs: number) =>
      dataSource.query(
        `INSERT INTO saga_event_joins (saga_id, step, reaction, arrived, updated_at)
         VALUES ($1, 'payment', 'work', '{}', now() - make_interval(secs => $2::int / 1000.0))`,
        [saga, ageMs],
      );
    await join('old', 2 * HOUR);
    await join('recent', 60_000);
    expect(await job.runOnce()).toEqual({ inbox: 0, outbox: 0, joins: 1 });
    const left = (await dataSource.query(`SELECT saga_id FROM saga_event_joins`)) as {
      saga_id: string;
    }[];
    expect(left.map((r) => r.saga_id)).toEqual(['recent']);
  });

  it('never prunes an outbox row that was not sent, however old', async () => {
    const unsent = await outbox(null, 48 * HOUR);
    expect(await job.runOnce()).toEqual({ inbox: 0, outbox: 0, joins: 0 });
    expect(await outboxIds()).toEqual([unsent]);
  });

  it('lets one instance prune at a time: the other skips its pass', async () => {
    await inbox(2 * HOUR);
    const store = new TypeOrmRetentionStore(dataSource);
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      // Another instance's pass in progress holds the same advisory lock.
      await runner.query(`SELECT pg_advisory_xact_lock(7232250000002)`);
      expect(await store.prune(HOUR, HOUR, 100)).toBeNull();
      expect(await job.runOnce()).toBeNull();
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await job.runOnce()).toEqual({ inbox: 1, outbox: 0, joins: 0 });
  });

  it('keeps going in batches until everything due is gone', async () => {
    await dataSource.query(
      `INSERT INTO saga_inbox (consumer, message_id, processed_at)
       SELECT 'svc', g::text, now() - interval '2 hours' FROM generate_series(1, 12000) g`,
    );
    expect(await job.runOnce()).toEqual({ inbox: 12000, outbox: 0, joins: 0 });
    expect(await inboxIds()).toEqual([]);
  });
});
