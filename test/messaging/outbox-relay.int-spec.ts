import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { OutboxRelay, OutboxRelayOptions } from '@app/saga-core/messaging/outbox-relay';
import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { enqueueOutgoing } from '@app/saga-core/persistence/typeorm/typeorm-messaging';
import { TypeOrmOutboxStore } from '@app/saga-core/persistence/typeorm/typeorm-outbox.store';
import { OutgoingMessage } from '@app/saga-core/transport/message-envelope';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';
import { createTestVhost, listQueues, TestVhost } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';

const QUEUE = 'relay.test';
const EVENTS = 'relay.events';

function messages(count: number, routingKey = QUEUE, exchange = ''): OutgoingMessage[] {
  return Array.from({ length: count }, (_, n) => {
    const messageId = randomUUID();
    return { messageId, exchange, routingKey, type: 'relay.test', body: { n } };
  });
}

describe('OutboxRelay (PostgreSQL and RabbitMQ)', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let dataSource: DataSource;
  let store: TypeOrmOutboxStore;
  let consumer: RabbitMqTransport;
  /** Every delivery, in order: a message published twice shows up twice. */
  const received: string[] = [];
  const transports: RabbitMqTransport[] = [];
  const relays: OutboxRelay[] = [];

  async function startRelay(
    options: OutboxRelayOptions = {},
    relayStore = store,
  ): Promise<OutboxRelay> {
    const transport = new RabbitMqTransport({ url: vhost.url, connectionName: 'relay-test' });
    await transport.init();
    await transport.declareExchange(EVENTS);
    transports.push(transport);
    const relay = new OutboxRelay(relayStore, transport, {
      pollIntervalMs: 60_000,
      service: 'relay-test',
      ...options,
    });
    relays.push(relay);
    relay.start();
    return relay;
  }

  /** Commits (or not) a transaction that enqueued `batch`, then kicks as the engine does. */
  async function enqueue(relay: OutboxRelay, batch: OutgoingMessage[], commit = true) {
    await dataSource
      .transaction(async (manager) => {
        await enqueueOutgoing(manager, batch);
        if (!commit) throw new Error('rolled back');
      })
      .catch((error: unknown) => {
        if (commit) throw error;
      });
    relay.kick();
  }

  const timesReceived = (id: string) => received.filter((r) => r === id).length;

  const allReceived = (batch: OutgoingMessage[]) =>
    waitFor(() => (batch.every((m) => timesReceived(m.messageId) > 0) ? true : undefined), {
      what: `${batch.length} messages on ${QUEUE}`,
    });

  /** A consumer may see a message before the relay's mark of it as sent has committed. */
  const outboxDrained = () => eventually(async () => expect(await store.pendingCount()).toBe(0));

  /**
   * Once every row of `batch` is marked sent no relay publishes it again (a duplicate would be
   * out before its mark): each message must have arrived exactly once.
   */
  async function expectEachOnce(batch: OutgoingMessage[]): Promise<void> {
    await allReceived(batch);
    await eventually(async () =>
      expect(
        (await Promise.all(batch.map((m) => outboxRow(m.messageId)))).map((row) => row.sent),
      ).toEqual(batch.map(() => true)),
    );
    expect(batch.map((m) => timesReceived(m.messageId))).toEqual(batch.map(() => 1));
  }

  const outboxRow = async (messageId: string) => {
    const [row] = await dataSource.query<
      { attempts: number; last_error: string | null; sent: boolean; parked: boolean }[]
    >(
      `SELECT attempts, last_error, sent_at IS NOT NULL AS sent, parked_at IS NOT NULL AS parked
         FROM saga_outbox WHERE message_id = $1`,
      [messageId],
    );
    return row;
  };

  const metric = async (name: string): Promise<string> =>
    (await register.getSingleMetricAsString(name))
      .split('\n')
      .filter((line) => line.includes('service="relay-test"'))
      .join('\n');

  beforeAll(async () => {
    [db, vhost] = await Promise.all([createTestDatabase('outbox_relay'), createTestVhost()]);
    dataSource = await openDataSource(db.url, messagingMigrations);
    store = new TypeOrmOutboxStore(dataSource);
    consumer = new RabbitMqTransport({ url: vhost.url, connectionName: 'relay-test-consumer' });
    await consumer.init();
    await consumer.consume(
      { name: QUEUE, bindings: [{ exchange: EVENTS, routingKey: 'bound.#' }] },
      async (message) => {
        received.push(message.messageId);
      },
    );
  });

  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await Promise.all([...transports, consumer].map((transport) => transport?.close()));
    await dataSource?.destroy();
    await Promise.all([db?.dispose(), vhost?.dispose()]);
  });

  it('publishes the messages of a committed transaction, each once', async () => {
    const relay = await startRelay();
    const batch = messages(250);

    await enqueue(relay, batch);

    await expectEachOnce(batch);
    await outboxDrained();
    await relay.stop();
  });

  it('never publishes the messages of a rolled-back transaction', async () => {
    const relay = await startRelay();
    const rolledBack = messages(3);
    const marker = messages(1);

    await enqueue(relay, rolledBack, false);
    await enqueue(relay, marker);

    // The relay sends in outbox order: once the later marker is in, nothing earlier is pending.
    await expectEachOnce(marker);
    expect(rolledBack.map((m) => timesReceived(m.messageId))).toEqual([0, 0, 0]);
    await relay.stop();
  });

  it('leaves rows committed after the relay stopped for the next relay to publish', async () => {
    let passes = 0;
    const counting = Object.assign(Object.create(store) as TypeOrmOutboxStore, {
      relayBatch: (...args: Parameters<TypeOrmOutboxStore['relayBatch']>) => {
        passes++;
        return store.relayBatch(...args);
      },
    });
    const crashed = await startRelay({}, counting);
    await crashed.stop();
    const passesWhenStopped = passes;
    const leftovers = messages(20);

    await enqueue(crashed, leftovers);
    // A kick schedules its pass on the next turn of the event loop; a stopped relay runs none.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(passes).toBe(passesWhenStopped);
    expect(await store.pendingCount()).toBe(20);

    await startRelay();
    await expectEachOnce(leftovers);
    await outboxDrained();
  });

  it('keeps an event no queue is bound for unsent, tries it again, then parks and counts it', async () => {
    const relay = await startRelay({
      pollIntervalMs: 20,
      graceMs: 0,
      maxAttempts: 3,
      retryDelayMs: 10,
    });
    const parkedBefore = await metric('saga_outbox_parked_total');
    const [unbound] = messages(1, 'nobody.listens', EVENTS);
    const [bound] = messages(1, 'bound.event', EVENTS);

    await enqueue(relay, [unbound, bound]);

    await expectEachOnce([bound]);
    await waitFor(async () => ((await outboxRow(unbound.messageId)).parked ? true : undefined), {
      what: 'the unbound event to be parked',
    });
    expect(await outboxRow(unbound.messageId)).toEqual({
      attempts: 3,
      last_error: expect.stringMatching(/no queue bound to relay.events for nobody.listens/),
      sent: false,
      parked: true,
    });
    expect(timesReceived(unbound.messageId)).toBe(0);
    expect(timesReceived(bound.messageId)).toBe(1);
    expect(await store.parkedRows()).toEqual([
      expect.objectContaining({ messageId: unbound.messageId, attempts: 3 }),
    ]);
    expect(parkedBefore).toMatch(/ 0$/);
    expect(await metric('saga_outbox_parked_total')).toMatch(/ 1$/);
    expect(await metric('saga_outbox_parked_rows')).toMatch(/ 1$/);

    // Parked: no pass offers it again, whatever comes behind it.
    const later = messages(3);
    await enqueue(relay, later);
    await expectEachOnce(later);
    expect((await outboxRow(unbound.messageId)).attempts).toBe(3);

    // Once a queue is bound and an operator releases the row, it goes out, once.
    await consumer.declareQueue({
      name: QUEUE,
      bindings: [{ exchange: EVENTS, routingKey: 'nobody.listens' }],
    });
    expect(await store.releaseParked()).toBe(1);
    await expectEachOnce([unbound]);
    expect(await metric('saga_outbox_parked_rows')).toMatch(/ 0$/);
    await relay.stop();
  });

  it('publishes the rows behind a full batch of rows that keep failing, and declares nothing', async () => {
    const queuesBefore = await listQueues(vhost.vhost);
    const relay = await startRelay({
      pollIntervalMs: 20,
      graceMs: 0,
      batchSize: 5,
      retryDelayMs: 60_000,
    });
    const failing = messages(10, 'no.such.queue');
    const behind = messages(5);

    await enqueue(relay, [...failing, ...behind]);

    await expectEachOnce(behind);
    const rows = await Promise.all(failing.map((m) => outboxRow(m.messageId)));
    expect(rows).toEqual(
      failing.map(() => ({
        attempts: 1,
        last_error: expect.stringMatching(/no queue no.such.queue/),
        sent: false,
        parked: false,
      })),
    );
    expect(await listQueues(vhost.vhost)).toEqual(queuesBefore);
    await relay.stop();
  });
});
