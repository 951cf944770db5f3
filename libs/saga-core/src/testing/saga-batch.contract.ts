import { randomUUID } from 'node:crypto';
import { AuditType } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { ClaimedWrite, SagaStore, TimerClaim } from '../persistence/saga-store.port';
import {
  at,
  contractAudit,
  contractMessage,
  contractSaga,
  contractTimer,
  movedOn,
  transitionOf,
} from './contract-fixtures';

/**
 * The `applyClaimedMany` half of `sagaStoreContract`: several sagas' transitions at once, each
 * written or not exactly as `applyClaimed` would write it alone. A store that leaves the
 * method out has nothing to keep here (the engine then writes each with `applyClaimed`).
 */
export function sagaBatchContract(store: () => SagaStore): void {
  describe('applyClaimedMany', () => {
    /** Each test's sagas under a definition of their own, whose timers only it claims. */
    let definitionName = '';
    const only = (): TimerClaim => ({ definitions: [{ name: definitionName, version: 1 }] });
    beforeEach(() => (definitionName = `batch-${randomUUID()}`));
    const inserted = async (timed = false) => {
      const saga = contractSaga({ definitionName });
      const timer = timed ? contractTimer(saga, at(5_000)) : undefined;
      await store().transaction((tx) => tx.insert(transitionOf(saga, { timer })));
      return saga;
    };
    const write = (saga: SagaInstance, extra: Partial<ClaimedWrite> = {}): ClaimedWrite => {
      const moved = movedOn(saga, { by: saga.id });
      return {
        transition: transitionOf(moved, {
          audit: [1, 2, 3].map((n) => contractAudit(saga.id, AuditType.REPLY_RECEIVED, n)),
          messages: [contractMessage(), contractMessage()],
          timer: contractTimer(moved, at(60_000), 'second:forward:1'),
        }),
        expectedVersion: 1,
        claim: { consumer: 'contract', messageId: `batch-${saga.id}` },
        ...extra,
      };
    };

    it('writes each saga as applyClaimed would: the stale and the claimed ones not at all', async () => {
      const many = store().applyClaimedMany?.bind(store());
      if (!many) return;
      const [fresh, other, stale, claimed] = await Promise.all([1, 2, 3, 4].map(() => inserted()));
      await store().transaction((tx) => tx.claimMessage('contract', `batch-${claimed.id}`));
      const writes = [
        write(fresh),
        write(stale, { expectedVersion: 7 }),
        write(claimed),
        write(other),
      ];

      const results = await many(writes);

      expect(results.map((r) => r.applied)).toEqual([true, false, false, true]);
      for (const [i, saga] of [fresh, stale, claimed, other].entries()) {
        const { transition } = writes[i];
        const applied = results[i].applied;
        expect(await store().find(saga.id)).toEqual(applied ? transition.instance : saga);
        expect(await store().auditLog(saga.id)).toEqual(applied ? transition.audit : []);
        expect(results[i].enqueued.map((r) => r.message)).toEqual(
          applied ? transition.messages : [],
        );
      }
      const ids = results.flatMap((r) => r.enqueued.map((e) => e.id));
      expect(new Set(ids).size).toBe(4);
      // The claims were recorded: the same messages again change nothing.
      const again = await many([write(fresh, { expectedVersion: 2 })]);
      expect(again).toEqual([{ applied: false, enqueued: [] }]);
    });

    it("claims each saga's messages decided together, all or none, beside the other sagas", async () => {
      const many = store().applyClaimedMany?.bind(store());
      if (!many) return;
      const [together, blocked, alone] = await Promise.all([1, 2, 3].map(() => inserted()));
      const claimOf = (saga: SagaInstance, earlier: string[]) => ({
        consumer: 'contract',
        messageId: `last-${saga.id}`,
        alsoClaims: earlier.map((e) => `${e}-${saga.id}`),
      });
      await store().transaction((tx) => tx.claimMessage('contract', `second-${blocked.id}`));

      const results = await many([
        write(together, { claim: claimOf(together, ['first', 'second']) }),
        write(blocked, { claim: claimOf(blocked, ['first', 'second']) }),
        write(alone),
      ]);

      expect(results.map((r) => r.applied)).toEqual([true, false, true]);
      expect(await store().find(blocked.id)).toEqual(blocked);
      const claimedNow = (id: string) =>
        store().transaction((tx) => tx.claimMessage('contract', id).then((fresh) => !fresh));
      for (const id of ['first', 'second', 'last'].map((m) => `${m}-${together.id}`)) {
        expect(await claimedNow(id)).toBe(true);
      }
      // Nothing of the refused saga's claim was recorded: its other messages are still new.
      expect(await claimedNow(`first-${blocked.id}`)).toBe(false);
      expect(await claimedNow(`last-${blocked.id}`)).toBe(false);
    });

    it('sets and clears timers per saga, and tells the ended watchers of the one that ended', async () => {
      const many = store().applyClaimedMany?.bind(store());
      if (!many) return;
      const [rescheduled, ended] = await Promise.all([inserted(true), inserted(true)]);
      const done: SagaInstance = {
        ...movedOn(ended, {}),
        status: SagaStatus.CONFIRMED,
        awaiting: [],
      };
      let heard: (id: string) => void = () => undefined;
      const endedHeard = new Promise<string>((resolve) => (heard = resolve));
      const watch = await store().watchEnded((id) => id === ended.id && heard(id));
      try {
        await many([
          write(rescheduled),
          { ...write(ended), transition: transitionOf(done, { timer: null }) },
        ]);
        expect(await endedHeard).toBe(ended.id);
      } finally {
        await watch.close();
      }
      const due = await store().transaction((tx) => tx.claimDueTimers(at(99_999), 10, only()));
      expect(due.map((t) => [t.sagaId, t.key, t.fireAt])).toEqual([
        [rescheduled.id, 'second:forward:1', at(60_000)],
      ]);
    });
  });
}
