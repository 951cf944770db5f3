import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { AuditType } from '@app/saga-core/model/audit-entry';
import { SagaInstance } from '@app/saga-core/model/saga-instance';
import { SagaStatus } from '@app/saga-core/model/saga-status';
import { SagaTimerRunner } from '@app/saga-core/engine/saga-timer-runner';
import { DueTimer, SagaTransaction } from '@app/saga-core/persistence/saga-store.port';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import { useTestDataSource } from '../support/postgres';

const RETRY = {
  maxAttempts: 3,
  initialDelayMs: 1_000,
  multiplier: 2,
  maxDelayMs: 10_000,
  jitter: false,
};
const T0 = Date.UTC(2025, 0, 1);
const at = (offsetMs: number) => new Date(T0 + offsetMs);

function saga(data: Record<string, unknown>, definitionVersion = 1): SagaInstance {
  return {
    id: randomUUID(),
    definitionName: 'timers-test',
    definitionVersion,
    status: SagaStatus.PENDING,
    compensating: false,
    data,
    steps: [],
    awaiting: [],
    failureReason: null,
    labels: {},
    startKey: null,
    startFingerprint: null,
    version: 1,
    createdAt: at(0),
    updatedAt: at(0),
  };
}

/**
 * Timers are isolated from each other: the runner fires each in its own transaction, and one
 * whose firing throws is written back in a statement of its own (tried again after a backoff,
 * audited, counted, then parked), while every other due timer fires in the same pass.
 */
describe('SagaTimerRunner on PostgreSQL', () => {
  const pg = useTestDataSource('saga_timers', sagaEngineMigrations);
  let store: TypeOrmSagaStore;
  const fired: string[] = [];

  /** Fires a timer as the engine would: locks the saga, ends it, clears its timer. */
  async function fire(tx: SagaTransaction, timer: DueTimer) {
    const instance = await tx.lock(timer.sagaId);
    if (!instance) return null;
    const data = instance.data as { poison?: string; transient?: boolean };
    if (data.transient) {
      throw Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
    }
    if (data.poison) throw new Error(`${data.poison} \u0000 cannot run`);
    const transition = {
      instance: { ...instance, status: SagaStatus.CONFIRMED, version: instance.version + 1 },
      audit: [],
      messages: [],
      timer: null,
    };
    await tx.update(transition, instance.version);
    fired.push(instance.id);
    return { transition, enqueued: [] };
  }

  const runner = (definitions?: { name: string; version: number }[]) =>
    new SagaTimerRunner(store, {
      service: 'timers-test',
      retry: RETRY,
      definitions: definitions && (() => definitions),
      fire,
      committed: () => undefined,
      now: () => new Date(),
    });

  async function insert(instance: SagaInstance, fireAtMs: number, key = 'reply:forward:0:1') {
    await store.insert({
      instance,
      audit: [],
      messages: [],
      timer: { sagaId: instance.id, fireAt: at(fireAtMs), key },
    });
  }

  async function timerRow(sagaId: string) {
    const rows: {
      attempts: number;
      last_error: string | null;
      fire_at: Date;
      parked_at: Date | null;
    }[] = await pg.dataSource.query(
      `SELECT attempts, last_error, fire_at, parked_at FROM saga_timers WHERE saga_id = $1`,
      [sagaId],
    );
    return rows[0];
  }

  async function failures(outcome: string): Promise<number> {
    const metric = await register.getSingleMetric('saga_timer_failures_total')?.get();
    return (
      metric?.values.find(
        (v) => v.labels.outcome === outcome && v.labels.definition === 'timers-test@1',
      )?.value ?? 0
    );
  }

  beforeAll(() => {
    store = new TypeOrmSagaStore(pg.dataSource);
  });

  beforeEach(async () => {
    fired.length = 0;
    await pg.dataSource.query('DELETE FROM saga_instances');
  });

  it('fires every other due timer in the pass where the oldest one throws, and audits, counts and backs off the poison', async () => {
    const poison = saga({ poison: 'a handler' });
    await insert(poison, 0);
    const good = Array.from({ length: 5 }, () => saga({}));
    for (const [i, s] of good.entries()) await insert(s, 1 + i);
    const retriedBefore = await failures('retried');

    const handled = await runner().fireDue(at(10));

    expect(handled).toBe(6);
    expect(new Set(fired)).toEqual(new Set(good.map((s) => s.id)));
    const row = await timerRow(poison.id);
    expect(row).toMatchObject({ attempts: 1, parked_at: null });
    expect(row.last_error).toBe('a handler \uFFFD cannot run');
    expect(row.fire_at.getTime()).toBeGreaterThan(Date.now());
    const audit = await store.auditLog(poison.id);
    expect(audit).toEqual([
      expect.objectContaining({
        type: AuditType.TIMER_FAILED,
        detail: expect.objectContaining({ timer: 'reply:forward:0:1', attempt: 1 }),
      }),
    ]);
    expect(await failures('retried')).toBe(retriedBefore + 1);
  });

  it('parks a timer once its tries run out: kept, never claimed again, until an operator retries it', async () => {
    const poison = saga({ poison: 'the state' });
    await insert(poison, 0);
    const parkedBefore = await failures('parked');
    const far = new Date(Date.now() + 365 * 86_400_000);
    for (let pass = 1; pass <= RETRY.maxAttempts; pass++) {
      expect(await runner().fireDue(far)).toBe(1);
    }

    const row = await timerRow(poison.id);
    expect(row.attempts).toBe(RETRY.maxAttempts);
    expect(row.parked_at).toBeInstanceOf(Date);
    expect(await runner().fireDue(far)).toBe(0);
    expect((await store.auditLog(poison.id)).map((a) => a.type)).toEqual([
      AuditType.TIMER_FAILED,
      AuditType.TIMER_FAILED,
      AuditType.TIMER_FAILED,
      AuditType.TIMER_PARKED,
    ]);
    expect(await failures('parked')).toBe(parkedBefore + 1);
    expect(await store.parkedTimers([poison.id])).toEqual([
      expect.objectContaining({
        sagaId: poison.id,
        attempts: 3,
        lastError: 'the state \uFFFD cannot run',
      }),
    ]);
    expect((await store.list({ timerParked: true, limit: 10 })).map((s) => s.id)).toEqual([
      poison.id,
    ]);

    // Fixed, then retried by an operator: due at once, its tries counted afresh.
    await pg.dataSource.query(`UPDATE saga_instances SET data = '{}' WHERE id = $1`, [poison.id]);
    const retried = await store.retryParkedTimer(poison.id, at(5), [
      {
        sagaId: poison.id,
        at: at(5),
        type: AuditType.OPERATOR_RETRIED_TIMER,
        step: null,
        detail: {},
      },
    ]);
    expect(retried).toBe(true);
    expect(await store.retryParkedTimer(poison.id, at(5), [])).toBe(false);
    expect(await runner().fireDue(at(10))).toBe(1);
    expect(fired).toEqual([poison.id]);
  });

  it('does not count a database that cannot do the work now against the timer', async () => {
    const busy = saga({ transient: true });
    await insert(busy, 0);
    const other = saga({});
    await insert(other, 1);

    expect(await runner().fireDue(at(10))).toBe(2);

    expect(fired).toEqual([other.id]);
    expect(await timerRow(busy.id)).toMatchObject({
      attempts: 0,
      last_error: null,
      parked_at: null,
    });
    expect(await store.auditLog(busy.id)).toEqual([]);
  });

  it('writes nothing back for a timer that a transition replaced after it was claimed', async () => {
    const poison = saga({ poison: 'late' });
    await insert(poison, 0);
    const [claimed] = await store.transaction((tx) => tx.claimDueTimers(at(10), 1));
    // The claim rolled back; a transition then sets the saga's timer anew.
    await store.transaction(async (tx) => {
      const current = await tx.lock(poison.id);
      if (!current) throw new Error('missing');
      const timer = { sagaId: poison.id, fireAt: at(20), key: 'reply:forward:1:1' };
      await tx.update({ instance: { ...current, version: 2 }, audit: [], messages: [], timer }, 1);
    });

    const written = await store.recordTimerFailure({
      timer: claimed,
      error: 'stale',
      retryAt: at(30),
      audit: [
        { sagaId: poison.id, at: at(10), type: AuditType.TIMER_FAILED, step: null, detail: {} },
      ],
    });

    expect(written).toBe(false);
    expect(await timerRow(poison.id)).toMatchObject({ attempts: 0, last_error: null });
    expect(await store.auditLog(poison.id)).toEqual([]);
  });

  it('claims only the timers of the definitions it is given, and names what PENDING sagas are pinned to', async () => {
    const mine = saga({});
    const theirs = saga({}, 99);
    await insert(mine, 0);
    await insert(theirs, 0);

    expect(await runner([{ name: 'timers-test', version: 1 }]).fireDue(at(10))).toBe(1);

    expect(fired).toEqual([mine.id]);
    expect(await timerRow(theirs.id)).toMatchObject({ attempts: 0 });
    expect(await store.pendingDefinitions()).toEqual([
      { name: 'timers-test', version: 99, sagas: 1 },
    ]);
  });

  it('starts a timer that is set again with no failed tries', async () => {
    const poison = saga({ poison: 'once' });
    await insert(poison, 0);
    await runner().fireDue(at(10));
    expect(await timerRow(poison.id)).toMatchObject({ attempts: 1 });

    await store.transaction(async (tx) => {
      const current = await tx.lock(poison.id);
      if (!current) throw new Error('missing');
      const timer = { sagaId: poison.id, fireAt: at(20), key: 'reply:forward:1:1' };
      await tx.update({ instance: { ...current, version: 2 }, audit: [], messages: [], timer }, 1);
    });

    expect(await timerRow(poison.id)).toMatchObject({
      attempts: 0,
      last_error: null,
      parked_at: null,
    });
  });
});
