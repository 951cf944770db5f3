import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@app/saga-core/messaging/outbox-relay';
import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { enqueueOutgoing } from '@app/saga-core/persistence/typeorm/typeorm-messaging';
import { TypeOrmOutboxStore } from '@app/saga-core/persistence/typeorm/typeorm-outbox.store';
import { OutgoingMessage } from '@app/saga-core/transport/message-envelope';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';
import { createTestVhost, TestVhost } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';

const QUEUE = 'relay.test';

function messages(count: number): OutgoingMessage[] {
  return Array.from({ length: count }, (_, n) => {
    const messageId = randomUUID();
    return { messageId, exchange: '', routingKey: QUEUE, type: 'relay.test', body: { n } };
  });
}

describe('OutboxRelay (PostgreSQL and RabbitMQ)', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let dataSource: DataSource;
  let store: TypeOrmOutboxStore;
  let consumer: RabbitMqTransport;
  const received = new Set<string>();
  const transports: RabbitMqTransport[] = [];
  const relays: OutboxRelay[] = [];

  async function startRelay(): Promise<OutboxRelay> {
    const transport = new RabbitMqTransport({ url: vhost.url, connectionName: 'relay-test' });
    await transport.init();
    transports.push(transport);
    const relay = new OutboxRelay(store, transport, { pollIntervalMs: 60_000 });
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

  const allReceived = (batch: OutgoingMessage[]) =>
    waitFor(() => (batch.every((m) => received.has(m.messageId)) ? true : undefined), {
      what: `${batch.length} messages on ${QUEUE}`,
    });

  /** A consumer may see a message before the relay's mark of it as sent has committed. */
  const outboxDrained = () => eventually(async () => expect(await store.pendingCount()).toBe(0));

  beforeAll(async () => {
    [db, vhost] = await Promise.all([createTestDatabase('outbox_relay'), createTestVhost()]);
    dataSource = await openDataSource(db.url, messagingMigrations);
    store = new TypeOrmOutboxStore(dataSource);
    consumer = new RabbitMqTransport({ url: vhost.url, connectionName: 'relay-test-consumer' });
    await consumer.init();
    await consumer.consume({ name: QUEUE }, async (message) => {
      received.add(message.messageId);
    });
  });

  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await Promise.all([...transports, consumer].map((transport) => transport?.close()));
    await dataSource?.destroy();
    await Promise.all([db?.dispose(), vhost?.dispose()]);
  });

  it('publishes the messages of a committed transaction', async () => {
    const relay = await startRelay();
    const batch = messages(250);

    await enqueue(relay, batch);

    await allReceived(batch);
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
    await allReceived(marker);
    expect(rolledBack.filter((m) => received.has(m.messageId))).toEqual([]);
    await outboxDrained();
    await relay.stop();
  });

  it('leaves rows committed after the relay stopped for the next relay to publish', async () => {
    const crashed = await startRelay();
    await crashed.stop();
    const leftovers = messages(20);

    await enqueue(crashed, leftovers);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(leftovers.filter((m) => received.has(m.messageId))).toEqual([]);
    expect(await store.pendingCount()).toBe(20);

    await startRelay();
    await allReceived(leftovers);
    await outboxDrained();
  });
});
