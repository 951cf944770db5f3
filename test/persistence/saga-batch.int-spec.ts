import { randomUUID } from 'node:crypto';
import { AuditType } from '@app/saga-core/model/audit-entry';
import { SagaInstance } from '@app/saga-core/model/saga-instance';
import { ClaimedWrite } from '@app/saga-core/persistence/saga-store.port';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import {
  batchValues,
  UPDATE_SAGAS_CLAIMING,
} from '@app/saga-core/persistence/typeorm/saga-batch-statements';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import {
  at,
  contractAudit,
  contractMessage,
  contractSaga,
  contractTimer,
  movedOn,
  transitionOf,
} from '@app/saga-core/testing/contract-fixtures';
import { useTestDataSource } from '../support/postgres';

/**
 * The statement that writes several sagas' transitions at once, read back from its tables: a
 * saga whose write is refused leaves no trace in any of them, the others all of theirs.
 */
describe('TypeOrmSagaStore.applyClaimedMany (PostgreSQL)', () => {
  const pg = useTestDataSource('saga_batch', sagaEngineMigrations);
  let store: TypeOrmSagaStore;

  beforeAll(() => {
    store = new TypeOrmSagaStore(pg.dataSource);
  });

  const ids = async (sql: string, params: unknown[]): Promise<string[]> =>
    ((await pg.dataSource.query(sql, params)) as { v: string }[]).map((r) => r.v);

  const inserted = async (): Promise<SagaInstance> => {
    const saga = contractSaga();
    const timer = contractTimer(saga, at(5_000));
    await store.transaction((tx) => tx.insert(transitionOf(saga, { timer })));
    return saga;
  };

  const write = (saga: SagaInstance, expectedVersion = 1): ClaimedWrite => {
    const moved = movedOn(saga, { by: saga.id });
    return {
      transition: transitionOf(moved, {
        audit: [1, 2].map((n) => contractAudit(saga.id, AuditType.REPLY_RECEIVED, n)),
        messages: [contractMessage(), contractMessage()],
        timer: contractTimer(moved, at(60_000), 'second:forward:1'),
      }),
      expectedVersion,
      claim: { consumer: 'saga-engine', messageId: randomUUID() },
    };
  };

  it('writes the outbox, inbox and timer rows of the sagas written, and none of the refused one', async () => {
    const sagas = await Promise.all([1, 2, 3].map(inserted));
    const writes = [write(sagas[0]), write(sagas[1], 5), write(sagas[2])];

    const results = await store.applyClaimedMany(writes);

    expect(results.map((r) => r.applied)).toEqual([true, false, true]);
    const written = [writes[0], writes[2]];
    const messageIds = (ws: ClaimedWrite[]) =>
      ws.flatMap((w) => w.transition.messages.map((m) => m.messageId));
    const everyMessage = messageIds(writes);
    expect(
      await ids(
        'SELECT message_id::text AS v FROM saga_outbox WHERE message_id = ANY($1::uuid[]) ORDER BY id',
        [everyMessage],
      ),
    ).toEqual(messageIds(written));
    // Each record names the row that holds its message.
    for (const record of results.flatMap((r) => r.enqueued)) {
      expect(
        await ids('SELECT message_id::text AS v FROM saga_outbox WHERE id = $1', [record.id]),
      ).toEqual([record.message.messageId]);
    }
    expect(
      await ids('SELECT message_id AS v FROM saga_inbox WHERE message_id = ANY($1) ORDER BY 1', [
        writes.map((w) => w.claim.messageId),
      ]),
    ).toEqual(written.map((w) => w.claim.messageId).sort());
    expect(await ids('SELECT key AS v FROM saga_timers WHERE saga_id = $1', [sagas[1].id])).toEqual(
      ['first:forward:1'],
    );
    expect(await ids('SELECT key AS v FROM saga_timers WHERE saga_id = $1', [sagas[2].id])).toEqual(
      ['second:forward:1'],
    );
  });

  it('refuses a saga that does not exist, and writes the rest', async () => {
    const saga = await inserted();
    const ghost = contractSaga();

    const results = await store.applyClaimedMany([write(ghost), write(saga)]);

    expect(results.map((r) => r.applied)).toEqual([false, true]);
    expect(await store.auditLog(ghost.id)).toEqual([]);
    expect(
      await ids('SELECT name AS v FROM saga_step_states WHERE saga_id = $1', [ghost.id]),
    ).toEqual([]);
  });

  it('looks each claim up in the inbox once, however many messages the inbox holds', async () => {
    // 5,000 messages of the same consumer already claimed, as a busy orchestrator's inbox has,
    // and no statistics on them yet (a new table, or autovacuum off): the planner guesses.
    await pg.dataSource.query(
      `INSERT INTO saga_inbox (consumer, message_id)
       SELECT 'saga-engine', gen_random_uuid()::text FROM generate_series(1, 5000)`,
    );
    const sagas = await Promise.all([1, 2, 3, 4].map(inserted));
    const writes = sagas.map((saga) => {
      const w = write(saga);
      return { ...w, claim: { ...w.claim, alsoClaims: [randomUUID(), randomUUID()] } };
    });

    const [{ 'QUERY PLAN': plan }] = (await pg.dataSource.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${UPDATE_SAGAS_CLAIMING.text}`,
      batchValues(writes),
    )) as { 'QUERY PLAN': [{ Plan: PlanNode }] }[];

    // Every row any node read from the inbox, its index included (rows × loops).
    const inboxRows = (node: PlanNode): number =>
      (node['Relation Name'] === 'saga_inbox' || node['Index Name']?.startsWith('saga_inbox')
        ? node['Actual Rows'] * node['Actual Loops']
        : 0) + (node.Plans ?? []).reduce((sum, child) => sum + inboxRows(child), 0);
    expect(inboxRows(plan[0].Plan)).toBeLessThanOrEqual(writes.length * 3);
    expect(
      await ids('SELECT id::text AS v FROM saga_instances WHERE id = ANY($1) AND version = 2', [
        sagas.map((s) => s.id),
      ]),
    ).toHaveLength(4);
  });
});

interface PlanNode {
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
