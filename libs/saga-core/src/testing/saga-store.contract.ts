import { ConcurrentUpdateError } from '../errors/concurrent-update.error';
import { AuditType } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { SagaStore } from '../persistence/saga-store.port';
import {
  at,
  contractAudit,
  contractMessage,
  contractSaga,
  movedOn,
  outcomes,
  transitionOf,
} from './contract-fixtures';
import { sagaBatchContract } from './saga-batch.contract';
import { sagaTimerContract } from './saga-timer.contract';

/** A store under test, and how to release what it holds once the suite is done. */
export interface StoreUnderTest {
  store: SagaStore;
  dispose?(): Promise<void>;
}

/**
 * What every `SagaStore` adapter must do, races included: one suite, run against the
 * PostgreSQL store (test/persistence/) and the in-memory one (testing/). `setup` runs once
 * for the suite; the tests use fresh saga ids, so they share the store.
 *
 * ```ts
 * sagaStoreContract('MyStore', async () => ({ store: new MyStore(), dispose: ... }));
 * ```
 */
export function sagaStoreContract(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`${name} keeps the SagaStore contract`, () => {
    let subject: StoreUnderTest;
    const store = () => subject.store;

    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(() => subject?.dispose?.());

    const inserted = async (overrides = {}) => {
      const saga = contractSaga(overrides);
      await store().transaction((tx) => tx.insert(transitionOf(saga)));
      return saga;
    };

    it('round-trips a saga with its audit lines in order, and hands back its outbox rows', async () => {
      const saga = contractSaga({ labels: { mode: 'choreographed' } });
      const audit = [0, 1, 2].map((n) => contractAudit(saga.id, AuditType.COMMAND_SENT, n));
      const messages = [contractMessage(), contractMessage()];

      const enqueued = await store().transaction(async (tx) => {
        expect(await tx.insert(transitionOf(saga, { audit, messages }))).toBeNull();
        return tx.enqueued;
      });

      expect(await store().find(saga.id)).toEqual(saga);
      expect(await store().auditLog(saga.id)).toEqual(audit);
      expect(enqueued.map((record) => record.message)).toEqual(messages);
      expect(new Set(enqueued.map((record) => record.id)).size).toBe(2);
    });

    it('keeps what a saga waits for: nothing, one reply, or the replies of parallel steps', async () => {
      const saga = await inserted();
      const [first] = saga.awaiting;
      const both = { ...movedOn(saga, {}), awaiting: [first, { ...first, stepIndex: 1 }] };
      await store().transaction((tx) => tx.update(transitionOf(both), 1));
      expect((await store().find(saga.id))?.awaiting).toEqual(both.awaiting);
      const none = { ...movedOn(both, {}), awaiting: [] };
      await store().transaction((tx) => tx.update(transitionOf(none), 2));
      expect((await store().find(saga.id))?.awaiting).toEqual([]);
    });

    it('finds no unknown saga, and locks none', async () => {
      const saga = contractSaga();
      expect(await store().find(saga.id)).toBeNull();
      expect(await store().transaction((tx) => tx.lock(saga.id))).toBeNull();
    });

    it('keeps nothing of a transaction that throws', async () => {
      const saga = contractSaga();
      const failing = store().transaction(async (tx) => {
        await tx.insert(transitionOf(saga, { messages: [contractMessage()] }));
        await tx.claimMessage('contract', saga.id);
        throw new Error('rolled back');
      });
      await expect(failing).rejects.toThrow('rolled back');

      expect(await store().find(saga.id)).toBeNull();
      expect(await store().transaction((tx) => tx.claimMessage('contract', saga.id))).toBe(true);
    });

    it('inserts one saga per start key when ten inserts race, and hands the others the winner', async () => {
      const startKey = `key-${contractSaga().id}`;
      const attempts = Array.from({ length: 10 }, () => contractSaga({ startKey }));

      const results = await Promise.all(
        attempts.map((saga) => store().transaction((tx) => tx.insert(transitionOf(saga)))),
      );

      const winners = attempts.filter((_, i) => results[i] === null);
      expect(winners).toHaveLength(1);
      for (const result of results) if (result) expect(result).toEqual(winners[0]);
      const standalone = await store().insert(transitionOf(contractSaga({ startKey })));
      expect(standalone).toMatchObject({ applied: false, existing: winners[0], enqueued: [] });
    });

    it('lets exactly one of two writers on one version win; the other gets ConcurrentUpdateError', async () => {
      const saga = await inserted();
      const writers = ['a', 'b'].map((writer) =>
        store().transaction((tx) => tx.update(transitionOf(movedOn(saga, { writer })), 1)),
      );

      const { fulfilled, rejected } = outcomes(await Promise.allSettled(writers));

      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toBeInstanceOf(ConcurrentUpdateError);
      const stored = await store().find(saga.id);
      expect(stored?.version).toBe(2);
      expect(['a', 'b']).toContain((stored?.data as { writer: string }).writer);
    });

    it('refuses an update on a stale version, writing nothing', async () => {
      const saga = await inserted();
      await store().transaction((tx) => tx.update(transitionOf(movedOn(saga, { n: 1 })), 1));
      const stale = transitionOf(movedOn(saga, { n: 'stale' }), {
        audit: [contractAudit(saga.id, AuditType.REPLY_RECEIVED, 9)],
      });

      await expect(store().transaction((tx) => tx.update(stale, 1))).rejects.toBeInstanceOf(
        ConcurrentUpdateError,
      );

      expect((await store().find(saga.id))?.data).toEqual({ n: 1 });
      expect(await store().auditLog(saga.id)).toEqual([]);
    });

    it('claims a message once per consumer: when ten transactions race, one claims it', async () => {
      const messageId = contractSaga().id;
      const claims = await Promise.all(
        Array.from({ length: 10 }, () =>
          store().transaction((tx) => tx.claimMessage('contract', messageId)),
        ),
      );

      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store().transaction((tx) => tx.claimMessage('contract', messageId))).toBe(false);
      expect(await store().transaction((tx) => tx.claimMessage('other', messageId))).toBe(true);
    });

    it('claims and locks a saga once for a message; the second claim is refused', async () => {
      const saga = await inserted();
      const claim = () =>
        store().transaction((tx) => tx.claimAndLock('contract', `m-${saga.id}`, saga.id));

      expect(await claim()).toEqual({ claimed: true, instance: saga });
      expect(await claim()).toEqual({ claimed: false, instance: null });
    });

    it('applies a transition decided on a copy once: the second message of the same version is refused', async () => {
      const saga = await inserted();
      const apply = (messageId: string, data: object) =>
        store().applyClaimed(
          transitionOf(movedOn(saga, { ...data }), {
            messages: [contractMessage()],
          }),
          1,
          { consumer: 'contract', messageId },
        );

      const [first, second] = await Promise.all([apply('m-1', { by: 1 }), apply('m-2', { by: 2 })]);

      expect([first.applied, second.applied].filter(Boolean)).toHaveLength(1);
      const loser = first.applied ? second : first;
      expect(loser.enqueued).toEqual([]);
      expect((first.applied ? first : second).enqueued).toHaveLength(1);
      expect((await store().find(saga.id))?.version).toBe(2);
    });

    it('applies nothing for a message claimed already, even at the right version', async () => {
      const saga = await inserted();
      await store().transaction((tx) => tx.claimMessage('contract', `dup-${saga.id}`));

      const write = await store().applyClaimed(transitionOf(movedOn(saga, { n: 1 })), 1, {
        consumer: 'contract',
        messageId: `dup-${saga.id}`,
      });

      expect(write).toEqual({ applied: false, enqueued: [] });
      expect((await store().find(saga.id))?.version).toBe(1);
    });

    it("claims a saga's messages decided together in one transition: all of them, or none", async () => {
      const [together, blocked] = [await inserted(), await inserted()];
      const claim = (saga: SagaInstance) => ({
        consumer: 'contract',
        messageId: `third-${saga.id}`,
        alsoClaims: [`first-${saga.id}`, `second-${saga.id}`],
      });
      await store().transaction((tx) => tx.claimMessage('contract', `second-${blocked.id}`));
      const apply = (saga: SagaInstance) =>
        store().applyClaimed(transitionOf(movedOn(saga, { n: 1 })), 1, claim(saga));

      expect((await apply(together)).applied).toBe(true);
      expect(await apply(blocked)).toEqual({ applied: false, enqueued: [] });

      const isNew = (id: string) => store().transaction((tx) => tx.claimMessage('contract', id));
      for (const m of ['first', 'second', 'third'])
        expect(await isNew(`${m}-${together.id}`)).toBe(false);
      expect((await store().find(blocked.id))?.version).toBe(1);
      expect(await isNew(`first-${blocked.id}`)).toBe(true);
      expect(await isNew(`third-${blocked.id}`)).toBe(true);
    });

    it('tells the ended watchers when a saga ends', async () => {
      const saga = await inserted();
      let ended: (id: string) => void = () => undefined;
      const heard = new Promise<string>((resolve) => (ended = resolve));
      const watch = await store().watchEnded((id) => id === saga.id && ended(id));
      try {
        const done = { ...movedOn(saga, {}), status: SagaStatus.CONFIRMED, awaiting: [] };
        await store().transaction((tx) => tx.update(transitionOf(done, { timer: null }), 1));
        expect(await heard).toBe(saga.id);
      } finally {
        await watch.close();
      }
    });

    it('lists newest first and counts by status, within a filter', async () => {
      const label = { contract: contractSaga().id };
      const old = await inserted({ labels: label, createdAt: at(1_000) });
      const young = await inserted({ labels: label, createdAt: at(2_000) });

      const listed = await store().list({ labels: label, limit: 10 });

      expect(listed.map((s) => s.id)).toEqual([young.id, old.id]);
      const counts = await store().countByStatus({ labels: label });
      expect(counts).toMatchObject({ [SagaStatus.PENDING]: 2, [SagaStatus.CONFIRMED]: 0 });
    });

    sagaTimerContract(store);
    sagaBatchContract(store);
  });
}
