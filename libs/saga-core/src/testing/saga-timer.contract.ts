import { randomUUID } from 'node:crypto';
import { AuditType } from '../model/audit-entry';
import { DueTimer, SagaStore, TimerClaim } from '../persistence/saga-store.port';
import {
  at,
  contractAudit,
  contractSaga,
  contractTimer,
  movedOn,
  outcomes,
  transitionOf,
} from './contract-fixtures';

/**
 * The timer half of `sagaStoreContract`. Each test pins its saga to a definition of its own
 * and claims only that definition's timers, so tests sharing a store never take each other's.
 */
export function sagaTimerContract(store: () => SagaStore): void {
  describe('timers', () => {
    const withTimer = async (fireAt: Date) => {
      const saga = contractSaga({ definitionName: `timers-${randomUUID()}` });
      const timer = contractTimer(saga, fireAt);
      await store().transaction((tx) => tx.insert(transitionOf(saga, { timer })));
      const only: TimerClaim = { definitions: [{ name: saga.definitionName, version: 1 }] };
      const claim = (now: Date) => store().transaction((tx) => tx.claimDueTimers(now, 10, only));
      return { saga, timer, claim, only };
    };
    /** Claims the timer in a transaction that rolls back, so it stays: the claim as a runner saw it. */
    const claimedThenRolledBack = async (now: Date, only: TimerClaim): Promise<DueTimer> => {
      let seen: DueTimer | undefined;
      await store()
        .transaction(async (tx) => {
          [seen] = await tx.claimDueTimers(now, 10, only);
          throw new Error('the firing threw');
        })
        .catch(() => undefined);
      if (!seen) throw new Error('no timer was due');
      return seen;
    };

    it('claims a timer once it is due, once: the claim deletes it, a rollback puts it back', async () => {
      const { saga, timer, claim, only } = await withTimer(at(10_000));

      expect(await claim(at(9_999))).toEqual([]);
      const seen = await claimedThenRolledBack(at(10_000), only);
      expect(seen).toEqual({
        ...timer,
        attempts: 0,
        definition: { name: saga.definitionName, version: 1 },
      });
      expect(await claim(at(10_000))).toEqual([seen]);
      expect(await claim(at(99_999))).toEqual([]);
    });

    it('hands a due timer to exactly one of two claims that race', async () => {
      const { claim } = await withTimer(at(10_000));

      const { fulfilled } = outcomes(
        await Promise.allSettled([claim(at(20_000)), claim(at(20_000))]),
      );

      expect(fulfilled.map((timers) => timers.length).sort()).toEqual([0, 1]);
    });

    it('skips the sagas it is told to skip', async () => {
      const { saga, only } = await withTimer(at(10_000));
      const skipping = await store().transaction((tx) =>
        tx.claimDueTimers(at(20_000), 10, { ...only, skip: [saga.id] }),
      );
      expect(skipping).toEqual([]);
    });

    it('replaces the timer with a transition, with its tries afresh, and clears it with null', async () => {
      const { saga, claim, only } = await withTimer(at(10_000));
      const first = await claimedThenRolledBack(at(10_000), only);
      await store().recordTimerFailure({
        timer: first,
        error: 'boom',
        retryAt: at(11_000),
        audit: [],
      });
      const next = contractTimer(saga, at(30_000), 'second:forward:1');

      await store().transaction((tx) =>
        tx.update(transitionOf(movedOn(saga, { n: 1 }), { timer: next }), 1),
      );
      expect(await claimedThenRolledBack(at(30_000), only)).toMatchObject({ ...next, attempts: 0 });

      const cleared = movedOn(movedOn(saga, { n: 1 }), { n: 2 });
      await store().transaction((tx) => tx.update(transitionOf(cleared, { timer: null }), 2));
      expect(await claim(at(99_999))).toEqual([]);
    });

    it('writes a failed try back as due again later, with its audit, unless the timer changed since', async () => {
      const { saga, claim, only } = await withTimer(at(10_000));
      const seen = await claimedThenRolledBack(at(10_000), only);
      const audit = [contractAudit(saga.id, AuditType.TIMER_FAILED, 10_000)];

      expect(
        await store().recordTimerFailure({
          timer: seen,
          error: 'boom',
          retryAt: at(15_000),
          audit,
        }),
      ).toBe(true);
      // The same claim again is stale: its try was counted already.
      expect(
        await store().recordTimerFailure({
          timer: seen,
          error: 'boom',
          retryAt: at(15_000),
          audit,
        }),
      ).toBe(false);

      expect(await claim(at(14_999))).toEqual([]);
      expect(await claim(at(15_000))).toMatchObject([{ attempts: 1, fireAt: at(15_000) }]);
      expect(await store().auditLog(saga.id)).toEqual(audit);
    });

    it('parks a timer whose tries are spent, and makes it due again when retried', async () => {
      const { saga, claim, only } = await withTimer(at(10_000));
      const seen = await claimedThenRolledBack(at(10_000), only);
      const parkedAt = at(10_500);
      const audit = [contractAudit(saga.id, AuditType.TIMER_PARKED, 10_500)];

      expect(
        await store().recordTimerFailure({ timer: seen, error: 'boom', retryAt: null, audit }),
      ).toBe(true);

      expect(await claim(at(99_999))).toEqual([]);
      expect(await store().parkedTimers([saga.id])).toEqual([
        { sagaId: saga.id, key: seen.key, attempts: 1, lastError: 'boom', parkedAt },
      ]);
      expect(await store().retryParkedTimer(saga.id, at(50_000), [])).toBe(true);
      expect(await store().retryParkedTimer(saga.id, at(50_000), [])).toBe(false);
      expect(await store().parkedTimers([saga.id])).toEqual([]);
      expect(await claim(at(50_000))).toMatchObject([{ attempts: 0, fireAt: at(50_000) }]);
    });
  });
}
