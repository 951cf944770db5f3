import { relayHarness, turns, until } from './outbox-relay.fixture';

describe('OutboxRelay', () => {
  const h = relayHarness();

  it('coalesces a burst of kicks into a single pass', async () => {
    h.start();
    await h.relay.idle();
    const before = h.store.batches;
    h.store.add(5);
    for (let i = 0; i < 50; i++) h.relay.kick();
    await h.relay.idle();

    expect(h.store.batches - before).toBe(1);
    expect(h.transport.published).toHaveLength(5);
  });

  it('goes on at once while passes send full batches, without waiting for the poll', async () => {
    h.store.add(25);
    h.start({ batchSize: 10 });
    await until(() => h.transport.published.length === 25);

    expect(h.store.batches).toBe(3);
    expect(await h.store.pendingCount()).toBe(0);
  });

  it('runs one more pass for kicks during a pass, and never two passes at once', async () => {
    let release = () => {};
    h.store.gate = new Promise((resolve) => (release = resolve));
    h.store.add(1);
    h.start();
    await until(() => h.store.active === 1);

    h.store.add(3);
    h.relay.kick();
    h.relay.kick();
    // A pass is running: the kicks only ask for one more after it, none at once.
    await turns();
    expect(h.store.batches).toBe(1);
    h.store.gate = null;
    release();
    await until(() => h.transport.published.length === 4);

    expect(h.store.batches).toBe(2);
    expect(h.store.maxActive).toBe(1);
  });

  it('skips passes quietly while the h.transport is disconnected', async () => {
    h.transport.connected = false;
    h.store.add(2);
    h.start();
    h.relay.kick();
    await h.relay.idle();

    expect(h.store.batches).toBe(0);
    expect(h.warn).not.toHaveBeenCalled();

    h.transport.connected = true;
    h.relay.kick();
    await until(() => h.transport.published.length === 2);
  });

  it('polls for rows no kick announced (another process, or a crash)', async () => {
    h.start({ pollIntervalMs: 20 });
    await h.relay.idle();
    h.store.add(3);

    await until(() => h.transport.published.length === 3);
  });

  it('stop() waits for the running pass, and later kicks do nothing', async () => {
    let release = () => {};
    h.store.gate = new Promise((resolve) => (release = resolve));
    h.store.add(2);
    h.start();
    await until(() => h.store.active === 1);

    let stopped = false;
    const stopping = h.relay.stop().then(() => (stopped = true));
    await turns();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(h.transport.published).toHaveLength(2);

    h.store.add(1);
    h.relay.kick();
    await h.relay.idle();
    expect(h.store.batches).toBe(1);
  });
});
