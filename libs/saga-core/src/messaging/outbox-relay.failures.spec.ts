import { Logger } from '@nestjs/common';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';
import { FakeTransport, MemoryOutboxStore, until } from './outbox-relay.fixture';

describe('OutboxRelay failures and committed rows', () => {
  let store: MemoryOutboxStore;
  let transport: FakeTransport;
  let relay: OutboxRelay;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    store = new MemoryOutboxStore();
    transport = new FakeTransport();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await relay.stop();
    warn.mockRestore();
  });

  function startRelay(options: OutboxRelayOptions = {}): void {
    relay = new OutboxRelay(store, transport, { pollIntervalMs: 60_000, ...options });
    relay.start();
  }

  it('keeps unconfirmed messages for a later pass, with one warning per pass', async () => {
    store.add(5);
    transport.failing.add('m-2').add('m-4').add('m-5');
    startRelay({ retryDelayMs: 20 });
    await until(() => transport.published.length === 2);
    await relay.idle();

    expect(warn).toHaveBeenCalledTimes(1);
    expect(await store.pendingCount()).toBe(3);
    expect(['2', '4', '5'].map((id) => store.row(id).attempts)).toEqual([1, 1, 1]);

    transport.failing.clear();
    // Each failed row waits for its next try, even for a kick.
    await until(() => ['2', '4', '5'].every((id) => store.row(id).nextAttemptAt <= Date.now()));
    relay.kick();
    await until(() => transport.published.length === 5);
    expect(transport.published.slice(2)).toEqual(['m-2', 'm-4', 'm-5']);
  });

  it('tries a row the broker refuses again after a backoff, and parks it after its last try', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store.add(3);
    transport.failing.add('m-1');
    startRelay({ pollIntervalMs: 10, graceMs: 0, maxAttempts: 3, retryDelayMs: 1 });

    await until(() => store.row('1').parkedAt !== null);
    expect(transport.published).toEqual(['m-2', 'm-3']);
    expect(store.row('1')).toMatchObject({ attempts: 3, lastError: 'nack', sent: false });
    expect(error).toHaveBeenCalledWith(
      expect.stringMatching(/Parked outbox row 1 .* after 3 tries/),
    );
    // Parked, it is offered no more, however many passes run.
    const passes = store.batches;
    await until(() => store.batches > passes + 3);
    expect(store.row('1').attempts).toBe(3);

    transport.failing.clear();
    expect(await store.releaseParked(['1'])).toBe(1);
    await until(() => transport.published.includes('m-1'));
    error.mockRestore();
  });

  it('keeps publishing younger rows while a full batch of older ones waits for its next try', async () => {
    store.add(6);
    for (const id of ['m-1', 'm-2', 'm-3']) transport.failing.add(id);
    startRelay({ batchSize: 3, maxAttempts: 100, retryDelayMs: 60_000 });

    await until(() => transport.published.length === 3);
    expect(transport.published).toEqual(['m-4', 'm-5', 'm-6']);
    expect([1, 2, 3].map((id) => store.row(String(id)).attempts)).toEqual([1, 1, 1]);
  });

  it('does not count a failure as a try while the broker connection is down', async () => {
    store.add(1);
    transport.failing.add('m-1');
    transport.publish = async (message) => {
      transport.connected = false;
      throw new Error(`connection lost while publishing ${message.messageId}`);
    };
    startRelay();
    await until(() => store.batches === 1 && store.active === 0);

    expect(store.row('1')).toMatchObject({ attempts: 0, parkedAt: null, sent: false });
  });

  it('publishes rows its process committed at once, and marks them sent once confirmed', async () => {
    startRelay();
    await relay.idle();
    store.add(2);
    const passes = store.batches;

    relay.publishCommitted(store.rowsFrom(0));
    await until(() => transport.published.length === 2);
    await relay.stop();

    expect(transport.published).toEqual(['m-1', 'm-2']);
    expect(await store.pendingCount()).toBe(0);
    expect(store.batches).toBe(passes);
  });

  it('leaves what the broker did not confirm to the polling pass, once past the grace period', async () => {
    startRelay({ pollIntervalMs: 10, graceMs: 1_234 });
    await relay.idle();
    store.add(2);
    transport.failing.add('m-2');

    relay.publishCommitted(store.rowsFrom(0));
    await until(() => transport.published.includes('m-1'));
    await until(() => store.minAges.includes(1_234));
    await relay.stop();

    expect(await store.pendingCount()).toBe(1);
    // A kick (a caller that only enqueued) asks for rows of any age.
    expect(store.minAges[0]).toBe(0);
  });
});
