import { AuditType } from '../model/audit-entry';
import { NO_FAULTS } from '../model/fault-hooks';
import { SagaInstance } from '../model/saga-instance';
import { SagaTransition } from '../model/saga-transition';
import { MessageClaim, SagaStore } from '../persistence/saga-store.port';
import {
  contractAudit,
  contractMessage,
  contractSaga,
  transitionOf,
} from '../testing/contract-fixtures';
import { InMemorySagaStore } from '../testing/in-memory-saga.store';
import { SagaChangeAnnouncer } from './saga-change-announcer';
import { SagaEndWaiters } from './saga-end-waiters';
import { SagaMetrics } from './saga-metrics';
import { SagaWriter } from './saga-writer';

/** A decision that records one audit line and, if told to, sends a command or stops waiting. */
const decision =
  (line: number, { sends = false, done = false } = {}) =>
  (saga: SagaInstance): SagaTransition => {
    const instance = { ...saga, version: saga.version + 1, awaiting: done ? [] : saga.awaiting };
    const audit = [contractAudit(saga.id, AuditType.REPLY_RECEIVED, line)];
    return transitionOf(instance, { audit, messages: sends ? [contractMessage()] : [] });
  };

const claim = (messageId: string, consumer = 'saga-engine'): MessageClaim => ({
  consumer,
  messageId,
});

/** Every pending callback of the event loop run once: what a held write would need to go. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('SagaWriter: a saga decision that sends nothing waits for the next message', () => {
  let store: InMemorySagaStore;
  let writes: MessageClaim[];
  let published: number;

  const writer = (lingerMs: number, mostLingering = 16) => {
    const deps = {
      store: store as SagaStore,
      publish: (rows: readonly unknown[]) => (published += rows.length),
      metrics: new SagaMetrics('linger-spec'),
      changes: new SagaChangeAnnouncer(async () => undefined),
      ends: new SagaEndWaiters((id) => store.find(id)),
      faults: NO_FAULTS,
      groupCommit: { maxMessages: 1, lingerMs },
      mostLingering,
      timerSet: () => undefined,
    };
    return new SagaWriter(deps);
  };

  /** A saga in the store and in the writer's memory, as after the writer committed it. */
  const running = async (w: SagaWriter): Promise<SagaInstance> => {
    const saga = contractSaga();
    await store.insert(transitionOf(saga));
    w.committed({ transition: transitionOf(saga), enqueued: [] });
    return saga;
  };

  beforeEach(() => {
    store = new InMemorySagaStore();
    writes = [];
    published = 0;
    const apply = store.applyClaimed.bind(store);
    store.applyClaimed = (transition, expected, c) => {
      writes.push(c);
      return apply(transition, expected, c);
    };
  });

  it('writes the held decision with the next one, in one write claiming both messages', async () => {
    const w = writer(60_000);
    const saga = await running(w);

    let firstDone = false;
    const first = w
      .decideAndWrite(saga.id, claim('m1'), decision(1))
      .then(() => (firstDone = true));
    await turns();
    expect(firstDone).toBe(false);
    expect(writes).toEqual([]);

    await Promise.all([
      first,
      w.decideAndWrite(saga.id, claim('m2'), decision(2, { sends: true })),
    ]);

    expect(writes).toEqual([{ consumer: 'saga-engine', messageId: 'm2', alsoClaims: ['m1'] }]);
    const stored = await store.find(saga.id);
    expect(stored?.version).toBe(3);
    expect((await store.auditLog(saga.id)).map((l) => l.detail)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(published).toBe(1);
    // Both messages are claimed: their redeliveries change nothing.
    await w.decideAndWrite(saga.id, claim('m1'), decision(3, { sends: true }));
    expect((await store.find(saga.id))?.version).toBe(3);
  });

  it('lets a message queued behind the held one join it, rather than wait the linger out', async () => {
    const w = writer(60_000);
    const saga = await running(w);

    // Delivered together: the second is handed over before the first has been decided.
    await Promise.all([
      w.decideAndWrite(saga.id, claim('m1'), decision(1)),
      w.decideAndWrite(saga.id, claim('m2'), decision(2)),
      w.decideAndWrite(saga.id, claim('m3'), decision(3, { sends: true })),
    ]);

    expect(writes).toEqual([
      { consumer: 'saga-engine', messageId: 'm3', alsoClaims: ['m1', 'm2'] },
    ]);
    expect((await store.auditLog(saga.id)).map((l) => l.detail)).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
  });

  it('writes a held decision alone once its linger is up', async () => {
    const w = writer(5);
    const saga = await running(w);

    await w.decideAndWrite(saga.id, claim('m1'), decision(1));

    expect(writes).toEqual([claim('m1')]);
    expect((await store.find(saga.id))?.version).toBe(2);
  });

  it('holds nothing that sends, ends the wait, or finds no room', async () => {
    const w = writer(60_000, 1);
    const [a, b, c] = [await running(w), await running(w), await running(w)];

    await w.decideAndWrite(a.id, claim('a1'), decision(1, { sends: true }));
    await w.decideAndWrite(b.id, claim('b1'), decision(1, { done: true }));
    const held = w.decideAndWrite(c.id, claim('c1'), decision(1));
    const d = await running(w);
    // One message lingers already (mostLingering 1): the next is written at once.
    await w.decideAndWrite(d.id, claim('d1'), decision(1));

    expect(writes.map((x) => x.messageId)).toEqual(['a1', 'b1', 'd1']);
    await w.decideAndWrite(c.id, claim('c2'), decision(2, { done: true }));
    await held;
    expect(writes.map((x) => x.messageId)).toEqual(['a1', 'b1', 'd1', 'c2']);
  });

  it('holds nothing when a deadline the saga has could come due within the linger', async () => {
    const w = writer(60_000);
    const saga = contractSaga({
      awaiting: contractSaga().awaiting.map((a) => ({
        ...a,
        fireAt: new Date(Date.now() + 1_000).toISOString(),
      })),
    });
    await store.insert(transitionOf(saga));
    w.committed({ transition: transitionOf(saga), enqueued: [] });

    await w.decideAndWrite(saga.id, claim('m1'), decision(1));

    expect(writes).toEqual([claim('m1')]);
  });

  it("does not join a message of another consumer: it waits behind the group's write", async () => {
    const w = writer(20);
    const saga = await running(w);

    const first = w.decideAndWrite(saga.id, claim('r1'), decision(1));
    await turns();
    await Promise.all([first, w.decideAndWrite(saga.id, claim('e1', 'events'), decision(2))]);

    expect(writes.map((x) => [x.messageId, x.alsoClaims])).toEqual([
      ['r1', undefined],
      ['e1', undefined],
    ]);
    expect((await store.find(saga.id))?.version).toBe(3);
  });

  it('decides each message again under the lock, in order, when the saga moved on meanwhile', async () => {
    const w = writer(60_000);
    const saga = await running(w);
    const seen: number[] = [];
    const noting =
      (line: number, options: { sends?: boolean } = {}) =>
      (instance: SagaInstance) => {
        seen.push(instance.version);
        return decision(line, options)(instance);
      };

    const first = w.decideAndWrite(saga.id, claim('m1'), noting(1));
    await turns();
    // Another process moves the saga on while the first decision lingers.
    await store.transaction((tx) => tx.update(decision(9)(saga), saga.version));
    const second = w.decideAndWrite(saga.id, claim('m2'), noting(2, { sends: true }));
    await Promise.all([first, second]);

    // On the copy (1, then 2 on top of the first), then again under the lock on 2 and 3.
    expect(seen).toEqual([1, 2, 2, 3]);
    expect((await store.find(saga.id))?.version).toBe(4);
    expect((await store.auditLog(saga.id)).map((l) => l.detail)).toEqual([
      { n: 9 },
      { n: 1 },
      { n: 2 },
    ]);
    expect(published).toBe(1);
  });

  it("keeps a message's failure its own once the messages are decided apart", async () => {
    const w = writer(60_000);
    const saga = await running(w);
    const failsUnderLock = (line: number) => (instance: SagaInstance) => {
      if (instance.version > 2) throw new Error('refused under the lock');
      return decision(line, { sends: true })(instance);
    };

    const first = w.decideAndWrite(saga.id, claim('m1'), decision(1));
    await turns();
    await store.transaction((tx) => tx.update(decision(9)(saga), saga.version));
    const second = w.decideAndWrite(saga.id, claim('m2'), failsUnderLock(2));

    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow('refused under the lock');
    expect((await store.auditLog(saga.id)).map((l) => l.detail)).toEqual([{ n: 9 }, { n: 1 }]);
  });
});
