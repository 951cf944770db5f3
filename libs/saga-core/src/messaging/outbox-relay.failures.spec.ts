import { Logger } from '@nestjs/common';
import { relayHarness, until } from './outbox-relay.fixture';

describe('OutboxRelay failures and committed rows', () => {
  const h = relayHarness();

  it('keeps unconfirmed messages for a later pass, with one warning per pass', async () => {
    h.store.add(5);
    h.transport.failing.add('m-2').add('m-4').add('m-5');
    h.start({ retryDelayMs: 20 });
    await until(() => h.transport.published.length === 2);
    await h.relay.idle();

    expect(h.warn).toHaveBeenCalledTimes(1);
    expect(await h.store.pendingCount()).toBe(3);
    expect(['2', '4', '5'].map((id) => h.store.row(id).attempts)).toEqual([1, 1, 1]);

    h.transport.failing.clear();
    // Each failed row waits for its next try, even for a kick.
    await until(() => ['2', '4', '5'].every((id) => h.store.row(id).nextAttemptAt <= Date.now()));
    h.relay.kick();
    await until(() => h.transport.published.length === 5);
    expect(h.transport.published.slice(2)).toEqual(['m-2', 'm-4', 'm-5']);
  });

  it('tries a row the broker refuses again after a backoff, and parks it after its last try', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    h.store.add(3);
    h.transport.failing.add('m-1');
    h.start({ pollIntervalMs: 10, graceMs: 0, maxAttempts: 3, retryDelayMs: 1 });

    await until(() => h.store.row('1').parkedAt !== null);
    expect(h.transport.published).toEqual(['m-2', 'm-3']);
    expect(h.store.row('1')).toMatchObject({ attempts: 3, lastError: 'nack', sent: false });
    expect(error).toHaveBeenCalledWith(
      expect.stringMatching(/Parked outbox row 1 .* after 3 tries/),
    );
    // Parked, it is offered no more, however many passes run.
    const passes = h.store.batches;
    await until(() => h.store.batches > passes + 3);
    expect(h.store.row('1').attempts).toBe(3);

    h.transport.failing.clear();
    expect(await h.store.releaseParked(['1'])).toBe(1);
    await until(() => h.transport.published.includes('m-1'));
    error.mockRestore();
  });

  it('keeps publishing younger rows while a full batch of older ones waits for its next try', async () => {
    h.store.add(6);
    for (const id of ['m-1', 'm-2', 'm-3']) h.transport.failing.add(id);
    h.start({ batchSize: 3, maxAttempts: 100, retryDelayMs: 60_000 });

    await until(() => h.transport.published.length === 3);
    expect(h.transport.published).toEqual(['m-4', 'm-5', 'm-6']);
    expect([1, 2, 3].map((id) => h.store.row(String(id)).attempts)).toEqual([1, 1, 1]);
  });

  it('does not count a failure as a try while the broker connection is down', async () => {
    h.store.add(1);
    h.transport.failing.add('m-1');
    h.transport.publish = async (message) => {
      h.transport.connected = false;
      throw new Error(`connection lost while publishing ${message.messageId}`);
    };
    h.start();
    await until(() => h.store.batches === 1 && h.store.active === 0);

    expect(h.store.row('1')).toMatchObject({ attempts: 0, parkedAt: null, sent: false });
  });

  it('publishes rows its process committed at once, and marks them sent once confirmed', async () => {
    h.start();
    await h.relay.idle();
    h.store.add(2);
    const passes = h.store.batches;

    h.relay.publishCommitted(h.store.rowsFrom(0));
    await until(() => h.transport.published.length === 2);
    await h.relay.stop();

    expect(h.transport.published).toEqual(['m-1', 'm-2']);
    expect(await h.store.pendingCount()).toBe(0);
    expect(h.store.batches).toBe(passes);
  });

  it('leaves what the broker did not confirm to the polling pass, once past the grace period', async () => {
    h.start({ pollIntervalMs: 10, graceMs: 1_234 });
    await h.relay.idle();
    h.store.add(2);
    h.transport.failing.add('m-2');

    h.relay.publishCommitted(h.store.rowsFrom(0));
    await until(() => h.transport.published.includes('m-1'));
    await until(() => h.store.minAges.includes(1_234));
    await h.relay.stop();

    expect(await h.store.pendingCount()).toBe(1);
    // A kick (a caller that only enqueued) asks for rows of any age.
    expect(h.store.minAges[0]).toBe(0);
  });
});
