import { context, trace } from '@opentelemetry/api';
import { registerTracing, TracingHandle } from '../observability/tracing';
import { stampTraceContext } from '../observability/trace-context';
import { activeTracer } from '../observability/tracing';
import { ClaimedWrite, MessageClaim, StandaloneWrite } from '../persistence/saga-store.port';
import { InMemorySagaStore } from '../testing/in-memory-saga.store';
import { contractMessage, contractSaga, movedOn, transitionOf } from '../testing/contract-fixtures';
import { SagaInstance } from '../model/saga-instance';
import { SagaTransition } from '../model/saga-transition';
import { ClaimedWrites } from './claimed-writes';

/** The in-memory store, counting its calls; `hold` keeps single writes open until released. */
class ObservedStore extends InMemorySagaStore {
  readonly alone: string[] = [];
  readonly batches: string[][] = [];
  held: Array<() => void> = [];
  hold = false;
  failBatches = false;
  failAlone = new Set<string>();

  override async applyClaimed(
    transition: SagaTransition,
    expectedVersion: number,
    claim: MessageClaim,
  ): Promise<StandaloneWrite> {
    this.alone.push(transition.instance.id);
    if (this.hold) await new Promise<void>((release) => this.held.push(release));
    if (this.failAlone.has(transition.instance.id)) throw new Error('lock timeout');
    return super.applyClaimed(transition, expectedVersion, claim);
  }

  /** As the PostgreSQL adapter does: the trace context stamped in the context it runs in. */
  override async applyClaimedMany(writes: readonly ClaimedWrite[]): Promise<StandaloneWrite[]> {
    this.batches.push(writes.map((w) => w.transition.instance.id));
    stampTraceContext(writes.flatMap((w) => w.transition.messages));
    if (this.failBatches) throw new Error('deadlock detected');
    const results: StandaloneWrite[] = [];
    for (const w of writes) {
      results.push(await super.applyClaimed(w.transition, w.expectedVersion, w.claim));
    }
    return results;
  }

  release(): void {
    this.hold = false;
    for (const release of this.held.splice(0)) release();
  }
}

describe('ClaimedWrites', () => {
  let store: ObservedStore;
  const sagas: SagaInstance[] = [];

  beforeEach(async () => {
    store = new ObservedStore();
    sagas.length = 0;
    for (let i = 0; i < 6; i++) {
      const saga = contractSaga();
      await store.transaction((tx) => tx.insert(transitionOf(saga)));
      sagas.push(saga);
    }
  });

  const transitionFor = (saga: SagaInstance) =>
    transitionOf(movedOn(saga, { n: saga.id }), { messages: [contractMessage()] });
  const apply = (writes: ClaimedWrites, saga: SagaInstance) =>
    writes.apply(transitionFor(saga), 1, { consumer: 'engine', messageId: `m-${saga.id}` });

  it('writes alone while a writer is free: at 1 in flight nothing waits', async () => {
    const writes = new ClaimedWrites(store, 32);
    for (const saga of sagas.slice(0, 3)) expect((await apply(writes, saga)).applied).toBe(true);
    expect(store.alone).toEqual(sagas.slice(0, 3).map((s) => s.id));
    expect(store.batches).toEqual([]);
  });

  it('writes what arrives while both writers are busy in one statement, up to the limit', async () => {
    const writes = new ClaimedWrites(store, 3);
    store.hold = true;
    const results = sagas.map((saga) => apply(writes, saga));
    // The first two went alone and are held; the four behind them wait for a writer.
    expect(store.alone).toHaveLength(2);
    store.release();
    const written = await Promise.all(results);

    expect(written.every((w) => w.applied && w.enqueued.length === 1)).toBe(true);
    expect(store.batches).toEqual([sagas.slice(2, 5).map((s) => s.id)]);
    expect(store.alone).toEqual([sagas[0].id, sagas[1].id, sagas[5].id]);
    for (const saga of sagas) expect((await store.find(saga.id))?.version).toBe(2);
  });

  it('writes each alone when the statement for several fails, and fails only the one that fails alone', async () => {
    const writes = new ClaimedWrites(store, 32);
    store.hold = true;
    store.failBatches = true;
    store.failAlone.add(sagas[3].id);
    const results = sagas.map((saga) =>
      apply(writes, saga).then(
        (w) => w.applied,
        (e: Error) => e.message,
      ),
    );
    store.release();

    expect(await Promise.all(results)).toEqual([true, true, true, 'lock timeout', true, true]);
    expect(store.batches).toEqual([sagas.slice(2).map((s) => s.id)]);
    expect(await store.find(sagas[3].id)).toEqual(sagas[3]);
  });

  it('never writes together with a limit of 1', async () => {
    const writes = new ClaimedWrites(store, 1);
    store.hold = true;
    const results = sagas.map((saga) => apply(writes, saga));
    store.release();
    await Promise.all(results);
    expect(store.batches).toEqual([]);
    expect(store.alone).toHaveLength(6);
  });

  describe('while tracing', () => {
    let tracing: TracingHandle;
    beforeAll(() => (tracing = registerTracing({ serviceName: 'claimed-writes' })));
    afterAll(() => tracing.shutdown());

    it("keeps each message's own trace, written together", async () => {
      const tracer = activeTracer();
      if (!tracer) throw new Error('no tracer');
      const writes = new ClaimedWrites(store, 32);
      store.hold = true;
      const traced = sagas.map((saga) => {
        const span = tracer.startSpan(`reply ${saga.id}`);
        const transition = transitionFor(saga);
        const written = context.with(trace.setSpan(context.active(), span), () =>
          writes.apply(transition, 1, { consumer: 'engine', messageId: `m-${saga.id}` }),
        );
        return { traceId: span.spanContext().traceId, transition, written };
      });
      store.release();
      await Promise.all(traced.map((t) => t.written));

      expect(store.batches.length).toBeGreaterThan(0);
      for (const { traceId, transition } of traced) {
        expect(String(transition.messages[0].headers?.traceparent)).toContain(traceId);
      }
    });
  });
});
