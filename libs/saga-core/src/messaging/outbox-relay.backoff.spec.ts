import { relayHarness } from './outbox-relay.fixture';

/** The backstop's poll: slower while it finds nothing, back to its pace once there is work. */
describe('OutboxRelay polling backoff', () => {
  const h = relayHarness();

  describe('on a faked clock', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] }));
    // Before the harness's own (an inner block's hooks run first): stop() waits for the sent
    // marks, which wait on the faked clock.
    afterEach(async () => {
      const stopping = h.relay.stop();
      await jest.advanceTimersByTimeAsync(1_000);
      await stopping;
      jest.useRealTimers();
    });

    /** Moves the clock on by `ms` and lets the pass it started finish; returns the passes so far. */
    async function after(ms: number): Promise<number> {
      await jest.advanceTimersByTimeAsync(ms);
      await h.relay.idle();
      return h.store.batches;
    }

    /** A relay polling every 100 ms at first, after the polls that took it to its 400 ms cap. */
    async function backedOff(): Promise<void> {
      h.start({ pollIntervalMs: 100, maxPollIntervalMs: 400 });
      await h.relay.idle();
      expect(await after(100 + 200 + 400)).toBe(4);
    }

    it('waits twice as long after each pass that found nothing, up to maxPollIntervalMs', async () => {
      h.start({ pollIntervalMs: 100, maxPollIntervalMs: 400 });
      await h.relay.idle();
      expect(h.store.batches).toBe(1); // the pass of the start

      expect(await after(99)).toBe(1);
      expect(await after(1)).toBe(2); // 100 ms after the first
      expect(await after(199)).toBe(2);
      expect(await after(1)).toBe(3); // then 200
      expect(await after(399)).toBe(3);
      expect(await after(1)).toBe(4); // then 400, the cap
      expect(await after(400)).toBe(5);
      expect(await after(400)).toBe(6);
    });

    it('polls at its base interval again once a pass took rows', async () => {
      await backedOff();

      h.store.add(2);
      expect(await after(400)).toBe(5);
      expect(h.transport.published).toHaveLength(2);
      expect(await after(100)).toBe(6);
      expect(await after(100)).toBe(7);
    });

    it('polls at its base interval again when a publish after a commit fails', async () => {
      await backedOff();

      h.store.add(1);
      const [row] = h.store.rowsFrom(0);
      h.transport.failing.add(row.message.messageId);
      h.relay.publishCommitted([row]);
      await h.relay.idle();
      expect(h.transport.published).toHaveLength(0);

      expect(await after(100)).toBe(5);
    });

    it('keeps its base interval while the broker is away, so rows left meanwhile go soon after', async () => {
      h.transport.connected = false;
      h.start({ pollIntervalMs: 100, maxPollIntervalMs: 400 });
      await h.relay.idle();
      await after(300);
      h.store.add(1);
      h.transport.connected = true;

      expect(await after(100)).toBe(1);
      expect(h.transport.published).toHaveLength(1);
    });
  });
});
