import { Logger } from '@nestjs/common';
import { OutboxRelay, OutboxRelayOptions } from './outbox-relay';
import { FakeTransport, MemoryOutboxStore, turns, until } from './outbox-relay.fixture';

describe('OutboxRelay', () => {
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

  it('coalesces a burst of kicks into a single pass', async () => {
    startRelay();
    await relay.idle();
    const before = store.batches;
    store.add(5);
    for (let i = 0; i < 50; i++) relay.kick();
    await relay.idle();

    expect(store.batches - before).toBe(1);
    expect(transport.published).toHaveLength(5);
  });

  it('goes on at once while passes send full batches, without waiting for the poll', async () => {
    store.add(25);
    startRelay({ batchSize: 10 });
    await until(() => transport.published.length === 25);

    expect(store.batches).toBe(3);
    expect(await store.pendingCount()).toBe(0);
  });

  it('runs one more pass for kicks during a pass, and never two passes at once', async () => {
    let release = () => {};
    store.gate = new Promise((resolve) => (release = resolve));
    store.add(1);
    startRelay();
    await until(() => store.active === 1);

    store.add(3);
    relay.kick();
    relay.kick();
    // A pass is running: the kicks only ask for one more after it, none at once.
    await turns();
    expect(store.batches).toBe(1);
    store.gate = null;
    release();
    await until(() => transport.published.length === 4);

    expect(store.batches).toBe(2);
    expect(store.maxActive).toBe(1);
  });

  it('skips passes quietly while the transport is disconnected', async () => {
    transport.connected = false;
    store.add(2);
    startRelay();
    relay.kick();
    await relay.idle();

    expect(store.batches).toBe(0);
    expect(warn).not.toHaveBeenCalled();

    transport.connected = true;
    relay.kick();
    await until(() => transport.published.length === 2);
  });

  it('polls for rows no kick announced (another process, or a crash)', async () => {
    startRelay({ pollIntervalMs: 20 });
    await relay.idle();
    store.add(3);

    await until(() => transport.published.length === 3);
  });

  it('stop() waits for the running pass, and later kicks do nothing', async () => {
    let release = () => {};
    store.gate = new Promise((resolve) => (release = resolve));
    store.add(2);
    startRelay();
    await until(() => store.active === 1);

    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await turns();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(transport.published).toHaveLength(2);

    store.add(1);
    relay.kick();
    await relay.idle();
    expect(store.batches).toBe(1);
  });
});
