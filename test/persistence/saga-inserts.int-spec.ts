import { randomUUID } from 'node:crypto';
import { SagaInstance } from '@app/saga-core/model/saga-instance';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import {
  contractAudit,
  contractMessage,
  contractSaga,
  contractTimer,
  transitionOf,
} from '@app/saga-core/testing/contract-fixtures';
import { statementsOf, useTestDataSource } from '../support/postgres';

/** `insert` of the PostgreSQL store: starts that meet are one statement, each its own. */
describe('starting sagas on PostgreSQL', () => {
  const db = useTestDataSource('saga_inserts', sagaEngineMigrations);

  const start = (overrides: Partial<SagaInstance> = {}) => {
    const saga = contractSaga({ id: randomUUID(), ...overrides });
    return transitionOf(saga, {
      audit: [contractAudit(saga.id, 'SAGA_STARTED', 0)],
      messages: [contractMessage(), contractMessage()],
      timer: contractTimer(saga, new Date(Date.now() + 60_000)),
    });
  };

  const count = async (sql: string, ids: string[]): Promise<number> => {
    const rows = await db.dataSource.query<{ n: number }[]>(sql, [ids]);
    return rows[0].n;
  };

  it('writes many starts at once, each with its audit, outbox rows and timer, in fewer statements', async () => {
    const store = new TypeOrmSagaStore(db.dataSource);
    const starts = Array.from({ length: 30 }, () => start());
    const [written, names] = await statementsOf(db.dataSource, () =>
      Promise.all(starts.map((t) => store.insert(t))),
    );
    expect(names.length).toBeLessThan(starts.length / 2);
    expect(names).toContain('sagas-insert-v1');
    const ids = starts.map((t) => t.instance.id);
    written.forEach((w, i) => {
      expect(w).toMatchObject({ existing: null, applied: true });
      expect(w.enqueued.map((r) => r.message.messageId)).toEqual(
        starts[i].messages.map((m) => m.messageId),
      );
    });
    const outboxIds = written.flatMap((w) => w.enqueued.map((r) => r.id));
    const stored = await db.dataSource.query<{ id: string; message_id: string }[]>(
      `SELECT id::text, message_id::text FROM saga_outbox WHERE id = ANY($1::bigint[])`,
      [outboxIds],
    );
    const byId = new Map(stored.map((r) => [r.id, r.message_id]));
    for (const w of written) {
      for (const r of w.enqueued) expect(byId.get(r.id)).toBe(r.message.messageId);
    }
    const n = `::int AS n`;
    expect(await count(`SELECT count(*)${n} FROM saga_instances WHERE id = ANY($1)`, ids)).toBe(30);
    expect(await count(`SELECT count(*)${n} FROM saga_timers WHERE saga_id = ANY($1)`, ids)).toBe(
      30,
    );
    expect(await count(`SELECT count(*)${n} FROM saga_audit WHERE saga_id = ANY($1)`, ids)).toBe(
      30,
    );
    const found = await store.find(ids[7]);
    expect(found).toEqual(starts[7].instance);
  });

  it('gives a start whose key is taken the saga that holds it, and writes nothing of it', async () => {
    const store = new TypeOrmSagaStore(db.dataSource);
    const taken = start({ startKey: `key-${randomUUID()}`, startFingerprint: 'f1' });
    await store.insert(taken);
    const sameKey = `key-${randomUUID()}`;
    const starts = [
      start(),
      start(),
      start({ startKey: taken.instance.startKey, startFingerprint: 'f1' }),
      start({ startKey: sameKey, startFingerprint: 'f2' }),
      start({ startKey: sameKey, startFingerprint: 'f2' }),
      start(),
    ];
    const written = await Promise.all(starts.map((t) => store.insert(t)));
    expect(written[2].existing?.id).toBe(taken.instance.id);
    expect(written[2]).toMatchObject({ applied: false, enqueued: [] });
    const holder = [written[3], written[4]].filter((w) => w.applied);
    expect(holder).toHaveLength(1);
    const other = [written[3], written[4]].find((w) => !w.applied);
    expect(other?.existing?.startKey).toBe(sameKey);
    for (const i of [0, 1, 5]) expect(written[i].applied).toBe(true);
    const losers = [starts[2], ...[3, 4].filter((i) => !written[i].applied).map((i) => starts[i])];
    const ids = losers.map((t) => t.instance.id);
    const n = `::int AS n`;
    expect(await count(`SELECT count(*)${n} FROM saga_instances WHERE id = ANY($1)`, ids)).toBe(0);
    expect(await count(`SELECT count(*)${n} FROM saga_timers WHERE saga_id = ANY($1)`, ids)).toBe(
      0,
    );
    expect(await count(`SELECT count(*)${n} FROM saga_audit WHERE saga_id = ANY($1)`, ids)).toBe(0);
    const messages = losers.flatMap((t) => t.messages.map((m) => m.messageId));
    expect(
      await count(
        `SELECT count(*)${n} FROM saga_outbox WHERE message_id = ANY($1::uuid[])`,
        messages,
      ),
    ).toBe(0);
  });

  it('fails only the start whose id is taken; the others of its statement are written', async () => {
    const store = new TypeOrmSagaStore(db.dataSource);
    const first = start();
    await store.insert(first);
    const starts = [start(), start(), start(), start({ id: first.instance.id }), start()];
    const settled = await Promise.allSettled(starts.map((t) => store.insert(t)));
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const ids = [0, 1, 2, 4].map((i) => starts[i].instance.id);
    const n = `::int AS n`;
    expect(await count(`SELECT count(*)${n} FROM saga_instances WHERE id = ANY($1)`, ids)).toBe(4);
  });
});
