import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ensureDatabase } from '@app/platform';
import { SagaSpec, StepKind } from '@app/saga-core/definition/saga-spec';
import { AuditEntry, AuditType } from '@app/saga-core/model/audit-entry';
import { SagaInstance, SagaTimer } from '@app/saga-core/model/saga-instance';
import { SagaStatus } from '@app/saga-core/model/saga-status';
import { SagaTransition } from '@app/saga-core/model/saga-transition';
import { StepStatus } from '@app/saga-core/model/step-status';
import { ConcurrentUpdateError } from '@app/saga-core/errors/concurrent-update.error';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { SagaChange } from '@app/saga-core/persistence/saga-store.port';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import { OutgoingMessage } from '@app/saga-core/transport/message-envelope';
import { TcpProxy } from '../../scripts/support/tcp-proxy';
import {
  createTestDatabase,
  openDataSource,
  TestDatabase,
  useTestDataSource,
} from '../support/postgres';
import { waitFor } from '../support/wait-for';
import { at, contractSaga, stepState as step } from '@app/saga-core/testing/contract-fixtures';

/** A running trip booking at version 1, waiting for the flight's reply. */
function newSaga(overrides: Partial<SagaInstance> = {}): SagaInstance {
  return contractSaga({
    definitionName: 'trip-booking',
    data: {
      customerId: 'cust-1',
      flight: { flightId: 'FL-100', seats: 1 },
      note: 'a "quoted" \\ one',
    },
    steps: [step('flight', StepStatus.RUNNING), step('hotel'), step('payment')],
    ...overrides,
  });
}

function audit(
  sagaId: string,
  type: string,
  stepName: string | null,
  offsetMs: number,
): AuditEntry {
  return { sagaId, at: at(offsetMs), type, step: stepName, detail: { n: offsetMs } };
}

function message(): OutgoingMessage {
  const messageId = randomUUID();
  return {
    messageId,
    exchange: '',
    routingKey: 'flight.commands',
    type: 'flight.reserve',
    body: { messageId },
  };
}

function transition(instance: SagaInstance, extra: Partial<SagaTransition> = {}): SagaTransition {
  return { instance, audit: [], messages: [], timer: undefined, ...extra };
}

/** A one-shot signal between two concurrent transactions of a test. */
function signal(): { fire(): void; fired: Promise<void> } {
  let fire = () => undefined as void;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fire: () => fire(), fired };
}

describe('TypeOrmSagaStore (PostgreSQL)', () => {
  const pg = useTestDataSource('saga_store', sagaEngineMigrations);
  let store: TypeOrmSagaStore;

  beforeAll(() => {
    store = new TypeOrmSagaStore(pg.dataSource);
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> => {
    const rows: { n: number }[] = await pg.dataSource.query(sql, params);
    return rows[0].n;
  };
  const outboxRows = () => count('SELECT count(*)::int AS n FROM saga_outbox');
  /** Until `n` sessions on this database wait for a lock (pg_stat_activity says so). */
  const waitForLockWaiters = (n: number) =>
    waitFor(
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )) >= n
          ? true
          : undefined,
      { what: `${n} session(s) waiting for a lock` },
    );

  it('round-trips a saga with its steps, labels, data, audit lines in order, and its timer', async () => {
    const saga = newSaga({ labels: { mode: 'choreographed', customer: 'cust-1' } });
    const lines = [
      audit(saga.id, AuditType.SAGA_STARTED, null, 0),
      audit(saga.id, AuditType.COMMAND_SENT, 'flight', 0),
      audit(saga.id, AuditType.COMMAND_SENT, 'flight', 0),
    ];
    const timer: SagaTimer = { sagaId: saga.id, fireAt: at(30_000), key: 'flight:forward:1' };
    const outboxBefore = await outboxRows();

    const existing = await store.transaction((tx) =>
      tx.insert(transition(saga, { audit: lines, messages: [message(), message()], timer })),
    );

    expect(existing).toBeNull();
    expect(await store.find(saga.id)).toEqual(saga);
    expect(await store.auditLog(saga.id)).toEqual(lines);
    expect(await outboxRows()).toBe(outboxBefore + 2);
    const timers = await store.transaction((tx) => tx.claimDueTimers(at(30_000), 100));
    expect(timers).toContainEqual({
      ...timer,
      attempts: 0,
      definition: { name: 'trip-booking', version: 1 },
    });
  });

  it('returns null for an unknown saga', async () => {
    expect(await store.find(randomUUID())).toBeNull();
    expect(await store.transaction((tx) => tx.lock(randomUUID()))).toBeNull();
  });

  it('inserts one saga per start key when 20 transactions race, and hands the others the winner', async () => {
    const startKey = `key-${randomUUID()}`;
    const attempts = Array.from({ length: 20 }, () =>
      newSaga({ startKey, startFingerprint: 'fp-1' }),
    );
    const outboxBefore = await outboxRows();

    const results = await Promise.all(
      attempts.map((saga) =>
        store.transaction((tx) =>
          tx.insert(
            transition(saga, {
              audit: [audit(saga.id, 'SAGA_STARTED', null, 0)],
              messages: [message()],
            }),
          ),
        ),
      ),
    );

    const winners = attempts.filter((_, i) => results[i] === null);
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    for (const result of results.filter((r) => r !== null)) {
      expect(result).toEqual(winner);
    }
    expect(
      await count('SELECT count(*)::int AS n FROM saga_instances WHERE start_key = $1', [startKey]),
    ).toBe(1);
    expect(await outboxRows()).toBe(outboxBefore + 1);
    const losers = attempts.filter((saga) => saga !== winner).map((saga) => saga.id);
    expect(
      await count('SELECT count(*)::int AS n FROM saga_audit_log WHERE saga_id = ANY($1)', [
        losers,
      ]),
    ).toBe(0);
  });

  it('refuses an update from a stale version and changes nothing', async () => {
    const saga = newSaga();
    await store.transaction((tx) => tx.insert(transition(saga)));
    const first = { ...saga, version: 2, status: SagaStatus.CONFIRMED, updatedAt: at(5) };
    await store.transaction((tx) => tx.update(transition(first), 1));
    const outboxBefore = await outboxRows();

    const stale = { ...saga, version: 2, status: SagaStatus.CANCELLED, failureReason: 'late' };
    const attempt = store.transaction((tx) =>
      tx.update(
        transition(stale, {
          audit: [audit(saga.id, 'SAGA_CANCELLED', null, 9)],
          messages: [message()],
          timer: { sagaId: saga.id, fireAt: at(1), key: 'stale' },
        }),
        1,
      ),
    );

    await expect(attempt).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(await store.find(saga.id)).toEqual(first);
    expect(await store.auditLog(saga.id)).toEqual([]);
    expect(await outboxRows()).toBe(outboxBefore);
    expect(
      await count('SELECT count(*)::int AS n FROM saga_timers WHERE saga_id = $1', [saga.id]),
    ).toBe(0);
  });

  it('stores steps, audit, outbox and timer with an update; null clears the timer, undefined keeps it', async () => {
    const saga = newSaga();
    await store.transaction((tx) => tx.insert(transition(saga)));
    const timerCount = () =>
      count('SELECT count(*)::int AS n FROM saga_timers WHERE saga_id = $1', [saga.id]);
    const next: SagaInstance = {
      ...saga,
      version: 2,
      steps: [
        { ...step('flight', StepStatus.COMPLETED), endedAt: at(2) },
        step('hotel', StepStatus.RUNNING),
        step('payment'),
      ],
      awaiting: [],
      updatedAt: at(2),
    };
    const lines = [
      audit(saga.id, 'STEP_COMPLETED', 'flight', 2),
      audit(saga.id, 'COMMAND_SENT', 'hotel', 2),
    ];
    const timer = { sagaId: saga.id, fireAt: at(9), key: 'hotel:forward:1' };
    const outboxBefore = await outboxRows();

    await store.transaction((tx) =>
      tx.update(transition(next, { audit: lines, messages: [message()], timer }), 1),
    );
    expect(await store.find(saga.id)).toEqual(next);
    expect(await store.auditLog(saga.id)).toEqual(lines);
    expect(await outboxRows()).toBe(outboxBefore + 1);
    expect(await timerCount()).toBe(1);

    await store.transaction((tx) => tx.update(transition({ ...next, version: 3 }), 2));
    expect(await timerCount()).toBe(1);
    await store.transaction((tx) =>
      tx.update(transition({ ...next, version: 4 }, { timer: null }), 3),
    );
    expect(await timerCount()).toBe(0);
  });

  it('serialises two concurrent lock-then-update transactions on one saga', async () => {
    const saga = newSaga();
    await store.transaction((tx) => tx.insert(transition(saga)));
    const seen: SagaInstance[] = [];
    const advance = (stepName: string, locked = () => Promise.resolve()) =>
      store.transaction(async (tx) => {
        const current = await tx.lock(saga.id);
        if (!current) throw new Error('missing');
        seen.push(current);
        await locked();
        const steps = current.steps.map((s) =>
          s.name === stepName ? { ...s, status: StepStatus.COMPLETED } : s,
        );
        await tx.update(
          transition({ ...current, steps, version: current.version + 1 }),
          current.version,
        );
      });

    // The first holds the lock until the second is seen waiting for it in pg_locks.
    const holding = signal();
    const release = signal();
    const first = advance('flight', () => (holding.fire(), release.fired));
    await holding.fired;
    const second = advance('hotel');
    await waitForLockWaiters(1);
    release.fire();
    await Promise.all([first, second]);

    expect(seen.map((s) => s.version)).toEqual([1, 2]);
    const final = await store.find(saga.id);
    expect(final?.version).toBe(3);
    expect(final?.steps.map((s) => s.status)).toEqual([
      StepStatus.COMPLETED,
      StepStatus.COMPLETED,
      StepStatus.PENDING,
    ]);
  });

  describe('writes that stand alone, with no transaction around them', () => {
    const inboxRows = (messageId: string) =>
      count('SELECT count(*)::int AS n FROM saga_inbox WHERE message_id = $1', [messageId]);
    const claim = () => ({ consumer: 'saga-engine', messageId: randomUUID() });
    const next = (saga: SagaInstance, status: SagaStatus = SagaStatus.PENDING): SagaInstance => ({
      ...saga,
      status,
      version: saga.version + 1,
      updatedAt: at(saga.version * 10),
    });

    it('starts a saga in one statement, and hands back the one already under its start key', async () => {
      const startKey = `key-${randomUUID()}`;
      const saga = newSaga({ startKey, startFingerprint: 'fp' });
      const first = await store.insert(transition(saga, { messages: [message()] }));
      expect(first).toMatchObject({ existing: null, applied: true });
      expect(first.enqueued).toHaveLength(1);

      const again = await store.insert(transition(newSaga({ startKey, startFingerprint: 'fp' })));
      expect(again).toMatchObject({ existing: saga, applied: false, enqueued: [] });
    });

    it('applies a transition on a current copy with its claim, its audit, outbox and timer', async () => {
      const saga = newSaga();
      await store.insert(transition(saga));
      const moved = next(saga);
      const by = claim();
      const timer: SagaTimer = { sagaId: saga.id, fireAt: at(60_000), key: 'hotel:forward:1' };

      const write = await store.applyClaimed(
        transition(moved, {
          audit: [audit(saga.id, 'STEP_COMPLETED', 'flight', 3)],
          messages: [message()],
          timer,
        }),
        saga.version,
        by,
      );

      expect(write.applied).toBe(true);
      expect(write.enqueued).toHaveLength(1);
      expect(await store.find(saga.id)).toEqual(moved);
      expect(await store.auditLog(saga.id)).toHaveLength(1);
      expect(await inboxRows(by.messageId)).toBe(1);
    });

    it('writes nothing at all, not even the claim, on a copy another transition made stale', async () => {
      const saga = newSaga();
      await store.insert(transition(saga));
      const current = next(saga, SagaStatus.CONFIRMED);
      await store.transaction((tx) => tx.update(transition(current), saga.version));
      const outboxBefore = await outboxRows();
      const by = claim();

      const write = await store.applyClaimed(
        transition(next(saga, SagaStatus.CANCELLED), {
          audit: [audit(saga.id, 'SAGA_CANCELLED', null, 9)],
          messages: [message()],
          timer: null,
        }),
        saga.version,
        by,
      );

      expect(write).toEqual({ applied: false, enqueued: [] });
      expect(await store.find(saga.id)).toEqual(current);
      expect(await store.auditLog(saga.id)).toEqual([]);
      expect(await outboxRows()).toBe(outboxBefore);
      expect(await inboxRows(by.messageId)).toBe(0);
    });

    it('writes nothing for a message that was claimed already', async () => {
      const saga = newSaga();
      await store.insert(transition(saga));
      const by = claim();
      await store.transaction((tx) => tx.claimMessage(by.consumer, by.messageId));

      const write = await store.applyClaimed(transition(next(saga)), saga.version, by);

      expect(write.applied).toBe(false);
      expect(await store.find(saga.id)).toEqual(saga);
    });

    it('lets one of 10 racing writes on the same copy win, and only its claim is recorded', async () => {
      const saga = newSaga();
      await store.insert(transition(saga));
      const claims = Array.from({ length: 10 }, claim);

      const writes = await Promise.all(
        claims.map((by, i) =>
          store.applyClaimed(
            transition(next(saga), { audit: [audit(saga.id, 'REPLY_RECEIVED', 'flight', i)] }),
            saga.version,
            by,
          ),
        ),
      );

      expect(writes.filter((w) => w.applied)).toHaveLength(1);
      const winner = claims[writes.findIndex((w) => w.applied)];
      expect(
        await count('SELECT count(*)::int AS n FROM saga_inbox WHERE message_id = ANY($1)', [
          claims.map((c) => c.messageId),
        ]),
      ).toBe(1);
      expect(await inboxRows(winner.messageId)).toBe(1);
      expect(await store.auditLog(saga.id)).toHaveLength(1);
      expect((await store.find(saga.id))?.version).toBe(saga.version + 1);
    });

    it('does not notify waiters of an end it did not write', async () => {
      const saga = newSaga();
      await store.insert(transition(saga));
      const ended: string[] = [];
      const watch = await store.watchEnded((id) => ended.push(id));
      try {
        const current = next(saga);
        await store.transaction((tx) => tx.update(transition(current), saga.version));
        const stale = await store.applyClaimed(
          transition(next(saga, SagaStatus.CONFIRMED)),
          saga.version,
          claim(),
        );
        expect(stale.applied).toBe(false);
        // Notifications arrive in commit order: once a later end is heard, an earlier one
        // would have been.
        const marker = newSaga();
        await store.insert(transition(marker));
        await store.applyClaimed(
          transition(next(marker, SagaStatus.CONFIRMED)),
          marker.version,
          claim(),
        );
        await waitFor(async () => (ended.includes(marker.id) ? true : undefined), {
          what: 'the later end notified',
        });
        expect(ended).not.toContain(saga.id);
        const done = await store.applyClaimed(
          transition(next(current, SagaStatus.CONFIRMED)),
          current.version,
          claim(),
        );
        expect(done.applied).toBe(true);
        await waitFor(async () => (ended.includes(saga.id) ? true : undefined), {
          what: 'the end notified',
        });
        expect(ended.filter((id) => id === saga.id)).toHaveLength(1);
      } finally {
        await watch.close();
      }
    });
  });

  it('keeps the audit log append-only: an update or a delete of a line is refused', async () => {
    const saga = newSaga();
    const late = audit(saga.id, AuditType.REPLY_IGNORED, 'flight', 7);
    await store.insert(transition(saga, { audit: [late] }));
    expect(await store.auditLog(saga.id)).toEqual([late]);

    await expect(
      pg.dataSource.query(`UPDATE saga_audit SET lines = '[]' WHERE saga_id = $1`, [saga.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      pg.dataSource.query(`DELETE FROM saga_audit WHERE saga_id = $1`, [saga.id]),
    ).rejects.toThrow(/append-only/);
    // The view of one line per row cannot be written through either.
    await expect(
      pg.dataSource.query(`DELETE FROM saga_audit_log WHERE saga_id = $1`, [saga.id]),
    ).rejects.toThrow(/saga_audit_log/);
    expect(await store.auditLog(saga.id)).toEqual([late]);
  });

  it('never hands one due timer to two concurrent claimers, and leaves timers not yet due', async () => {
    await pg.dataSource.query('DELETE FROM saga_timers');
    const sagas = Array.from({ length: 30 }, () => newSaga());
    for (const [i, saga] of sagas.entries()) {
      const timer = { sagaId: saga.id, fireAt: at(i < 20 ? 1000 + i : 60_000), key: `k${i}` };
      await store.transaction((tx) => tx.insert(transition(saga, { timer })));
    }

    // Every claimer holds its claim until all four have claimed: none commits in between.
    const claimers = 4;
    let holding = 0;
    const allClaimed = signal();
    const claims = await Promise.all(
      Array.from({ length: claimers }, () =>
        store.transaction(async (tx) => {
          const timers = await tx.claimDueTimers(at(10_000), 6);
          if (++holding === claimers) allClaimed.fire();
          await allClaimed.fired;
          return timers;
        }),
      ),
    );

    const claimed = claims.flat().map((t) => t.sagaId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(20);
    expect(new Set(claimed)).toEqual(new Set(sagas.slice(0, 20).map((s) => s.id)));
    expect(await store.transaction((tx) => tx.claimDueTimers(at(10_000), 100))).toEqual([]);
    expect(await count('SELECT count(*)::int AS n FROM saga_timers')).toBe(10);
  });

  it('does not deadlock when a timer comes due while a reply is changing the same saga', async () => {
    const saga = newSaga();
    const timer = { sagaId: saga.id, fireAt: at(1000), key: 'reply:forward:0:1' };
    await store.transaction((tx) => tx.insert(transition(saga, { timer })));
    const replyHoldsSaga = signal();
    const timerPassClaimed = signal();

    // The reply locks the saga first, then (the step done) clears the saga's timer, once the
    // timer pass has tried its claim meanwhile.
    const reply = store.transaction(async (tx) => {
      const current = await tx.lock(saga.id);
      if (!current) throw new Error('missing');
      replyHoldsSaga.fire();
      await timerPassClaimed.fired;
      await tx.update(transition({ ...current, version: 2 }, { timer: null }), 1);
    });
    await replyHoldsSaga.fired;
    // The timer pass claims the due timer and wants the saga too.
    const timerPass = store.transaction(async (tx) => {
      const claimed = await tx.claimDueTimers(at(10_000), 10);
      timerPassClaimed.fire();
      for (const due of claimed) await tx.lock(due.sagaId);
      return claimed;
    });

    const [replied, fired] = await Promise.allSettled([reply, timerPass]);
    expect(replied.status).toBe('fulfilled');
    expect(fired).toEqual({ status: 'fulfilled', value: [] });
    expect((await store.find(saga.id))?.version).toBe(2);
    expect(
      await count('SELECT count(*)::int AS n FROM saga_timers WHERE saga_id = $1', [saga.id]),
    ).toBe(0);
  });

  it('lists newest first, filtered by status and labels, up to the limit', async () => {
    const definitionName = `list-${randomUUID()}`;
    const base = Date.UTC(2030, 0, 1);
    const sagas = Array.from({ length: 6 }, (_, i) =>
      newSaga({
        definitionName,
        createdAt: new Date(base + i * 1000),
        status: i % 2 === 0 ? SagaStatus.CONFIRMED : SagaStatus.PENDING,
        labels: { mode: i < 3 ? 'orchestrated' : 'choreographed', run: definitionName },
      }),
    );
    for (const saga of sagas) await store.transaction((tx) => tx.insert(transition(saga)));
    const ids = (list: SagaInstance[]) => list.map((s) => s.id);
    const run = { run: definitionName };

    expect(ids(await store.list({ labels: run, limit: 10 }))).toEqual(ids([...sagas].reverse()));
    expect(ids(await store.list({ labels: run, limit: 2 }))).toEqual([sagas[5].id, sagas[4].id]);
    expect(ids(await store.list({ labels: run, status: SagaStatus.CONFIRMED, limit: 10 }))).toEqual(
      [sagas[4].id, sagas[2].id, sagas[0].id],
    );
    expect(
      ids(
        await store.list({
          labels: { ...run, mode: 'orchestrated' },
          status: SagaStatus.PENDING,
          limit: 10,
        }),
      ),
    ).toEqual([sagas[1].id]);
    expect((await store.list({ limit: 3 })).map((s) => s.createdAt.getTime())).toEqual([
      base + 5000,
      base + 4000,
      base + 3000,
    ]);
  });

  it('pages newest first on (created_at, id), ties included, with no saga twice or missed', async () => {
    const run = { run: `page-${randomUUID()}` };
    const createdAt = at(90_000);
    // Five sagas share one creation time: only the id orders them, as in a burst of starts.
    const sagas = Array.from({ length: 7 }, (_, i) =>
      newSaga({ createdAt: i < 5 ? createdAt : at(90_000 + i), labels: run }),
    );
    for (const saga of sagas) await store.insert(transition(saga));
    const pages: string[][] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await store.list({ labels: run, limit: 3, after });
      if (page.length === 0) break;
      pages.push(page.map((s) => s.id));
      const last = page[page.length - 1];
      after = { createdAt: last.createdAt, id: last.id };
    }
    const expected = [...sagas]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((s) => s.id);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(expected);
  });

  it('filters by definition, id, creation time and a field of the data, and counts by status', async () => {
    const definitionName = `filter-${randomUUID()}`;
    const customer = `cust-${randomUUID()}`;
    const sagas = [
      newSaga({ definitionName, createdAt: at(1_000), data: { customerId: customer } }),
      newSaga({
        definitionName,
        createdAt: at(2_000),
        status: SagaStatus.CANCELLED,
        data: { customerId: customer, flight: { seats: 2 } },
      }),
      newSaga({ definitionName, createdAt: at(3_000), data: { customerId: 'someone-else' } }),
    ];
    for (const saga of sagas) await store.insert(transition(saga));
    const ids = (list: SagaInstance[]) => list.map((s) => s.id);
    const mine = { definitionName, dataContains: { customerId: customer } };

    expect(ids(await store.list({ ...mine, limit: 10 }))).toEqual([sagas[1].id, sagas[0].id]);
    expect(
      ids(await store.list({ definitionName, dataContains: { flight: { seats: 2 } }, limit: 10 })),
    ).toEqual([sagas[1].id]);
    expect(ids(await store.list({ definitionName, id: sagas[2].id, limit: 10 }))).toEqual([
      sagas[2].id,
    ]);
    expect(
      ids(
        await store.list({
          definitionName,
          createdFrom: at(2_000),
          createdBefore: at(3_000),
          limit: 10,
        }),
      ),
    ).toEqual([sagas[1].id]);
    expect(await store.countByStatus(mine)).toEqual({
      PENDING: 1,
      CONFIRMED: 0,
      CANCELLED: 1,
      COMPENSATION_FAILED: 0,
    });
    expect((await store.countByStatus({ definitionName })).PENDING).toBe(2);
  });

  it('announces changes to every watcher on one connection, many changes to a notification', async () => {
    const seen: string[] = [];
    const other: string[] = [];
    const connections = async () =>
      (
        await pg.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
        )
      )[0].n as number;
    const before = await connections();
    const first = await store.watchChanges((c) => seen.push(`${c.sagaId} ${c.status}`));
    const second = await store.watchChanges((c) => other.push(`${c.sagaId} ${c.status}`));
    try {
      expect(await connections()).toBe(before + 1);
      const changes = Array.from({ length: 400 }, (): SagaChange => ({
        sagaId: randomUUID(),
        status: SagaStatus.PENDING,
      }));
      changes[399] = { ...changes[399], status: SagaStatus.CANCELLED };
      await store.announceChanges(changes);
      const expected = changes.map((c) => `${c.sagaId} ${c.status}`);
      await waitFor(() => (seen.length >= 400 && other.length >= 400 ? true : undefined), {
        what: 'every change seen by both watchers',
      });
      expect(seen).toEqual(expected);
      expect(other).toEqual(expected);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('keeps the first stored definition of a name and version, and warns when another differs', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const spec: SagaSpec = {
      name: `trip-${randomUUID()}`,
      version: 1,
      steps: [
        {
          name: 'flight',
          kind: StepKind.COMPENSATABLE,
          command: { channel: 'flight.commands', type: 'flight.reserve' },
          compensation: { channel: 'flight.commands', type: 'flight.cancel' },
          timeoutMs: 5000,
          retry: {
            maxAttempts: 3,
            initialDelayMs: 100,
            maxDelayMs: 1000,
            multiplier: 2,
            jitter: true,
          },
          retryOnTimeout: false,
          compensationRetry: {
            maxAttempts: 5,
            initialDelayMs: 100,
            maxDelayMs: 1000,
            multiplier: 2,
            jitter: true,
          },
        },
      ],
    };
    try {
      await store.saveDefinition(spec);
      await store.saveDefinition(JSON.parse(JSON.stringify(spec)) as SagaSpec);
      expect(warn).not.toHaveBeenCalled();
      await store.saveDefinition({ ...spec, steps: [] });
      expect(warn).toHaveBeenCalledTimes(1);
      await store.saveDefinition({ ...spec, version: 2 });

      const stored = (await store.listDefinitions()).filter((d) => d.spec.name === spec.name);
      expect(stored.map((d) => d.spec)).toEqual([spec, { ...spec, version: 2 }]);
      expect(stored[0].createdAt).toBeInstanceOf(Date);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('TypeOrmSagaStore when its connection is lost mid-transaction', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('saga_store_lost');
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
    dataSource = await openDataSource(proxy.rewrite(db.url), sagaEngineMigrations);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await proxy?.close();
    await db?.dispose();
  });

  it('rejects the transaction rather than crashing the process, and works again once back', async () => {
    const store = new TypeOrmSagaStore(dataSource);
    const lost = store.transaction(async (tx) => {
      await tx.lock(randomUUID());
      proxy.cut();
      return tx.lock(randomUUID());
    });
    await expect(lost).rejects.toThrow();

    proxy.restore();
    // A pooled connection that died idle is only found out by using it: the next try gets a
    // fresh one.
    const saga = newSaga();
    await waitFor(
      () =>
        store
          .transaction((tx) => tx.insert(transition(saga)))
          .then(
            () => true,
            () => undefined,
          ),
      { timeoutMs: 5_000, intervalMs: 50, what: 'a transaction to succeed again' },
    );
    expect(await store.find(saga.id)).toMatchObject({ id: saga.id });
  });
});

const MIGRATIONS = [
  'Messaging1732250000000',
  'SagaEngine1732250000001',
  'TimerFailures1732250000010',
  'StepMayHaveTakenEffect1732250000011',
  'OutboxParking1732250000020',
  'AuditPerTransition1732250000030',
  'StepsInInstance1732250000031',
  'EventJoins1732250000040',
];

describe('database bootstrap', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('bootstrap');
  });

  afterAll(async () => {
    await db?.dispose();
  });

  it('creates a missing database once when two processes race to create it', async () => {
    await db.dispose();
    await Promise.all([ensureDatabase(db.url), ensureDatabase(db.url), ensureDatabase(db.url)]);
    await ensureDatabase(db.url);
  });

  it('runs the migrations concurrently from two DataSources, then again as a no-op', async () => {
    const [a, b] = await Promise.all([
      openDataSource(db.url, sagaEngineMigrations),
      openDataSource(db.url, sagaEngineMigrations),
    ]);
    try {
      const applied = async () =>
        ((await a.query('SELECT name FROM migrations ORDER BY id')) as { name: string }[]).map(
          (m) => m.name,
        );
      expect(await applied()).toEqual(MIGRATIONS);

      await expect(a.runMigrations({ transaction: 'each' })).resolves.toEqual([]);
      const again = await openDataSource(db.url, sagaEngineMigrations);
      await again.destroy();
      expect(await applied()).toEqual(MIGRATIONS);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });
});
