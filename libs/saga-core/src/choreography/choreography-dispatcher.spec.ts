import { InboundDeps } from '../participant/inbound-dispatcher';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EntityManager } from 'typeorm';
import { TypeOrmInbox } from '../persistence/typeorm/typeorm-inbox';
import { PoisonMessageError } from '../errors/poison-message.error';
import { FaultRules } from '../faults/fault-rules';
import { OutboxRelay } from '../messaging/outbox-relay';
import { SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageHandler, MessageTransport, QueueSpec } from '../transport/message-transport';
import { ChoreographyDispatcher } from './choreography-dispatcher';
import { EventContext } from './event-context';
import { EventHandler } from './event-handler.decorator';
import { EventMessage, eventEndpoint } from '../transport/event-message';
import { inboxDataSource, inboxKeyViolation } from '../participant/inbox-data-source.fixture';

const requested = eventEndpoint<{ id: string }>('trip.events', 'trip.requested');
const failed = eventEndpoint<{ id: string }>('trip.events', 'trip.failed');
const reserved = eventEndpoint<{ id: string; price: number }>('trip.events', 'trip.reserved');
const audited = eventEndpoint<unknown>('audit.events', 'audit.noted');

class FlightReactions {
  readonly seen: { event: EventMessage; deliveryCount: number }[] = [];

  @EventHandler(requested)
  reserve(event: EventMessage, ctx: EventContext): void {
    this.seen.push({ event, deliveryCount: ctx.deliveryCount });
    ctx.publish(reserved, { id: 'b-1', price: 250 });
  }

  @EventHandler(failed, eventEndpoint('trip.events', 'trip.cancelled'))
  cancel(): void {
    throw new Error('database is down');
  }

  notAHandler(): void {}
}

class AuditReactions {
  @EventHandler(audited)
  note(): void {}
}

class DuplicateRequested {
  @EventHandler(requested)
  again(): void {}
}

class PoisonReactions {
  @EventHandler(eventEndpoint('trip.events', 'trip.bad'))
  bad(): void {
    throw new PoisonMessageError('not a booking');
  }
}

/** Records what the dispatcher declares and consumes; the broker is not needed. */
class RecordingTransport {
  readonly exchanges: string[] = [];
  readonly declared: QueueSpec[] = [];
  readonly consumed: QueueSpec[] = [];
  handler?: MessageHandler;

  async declareExchange(name: string): Promise<void> {
    this.exchanges.push(name);
  }

  async declareQueue(queue: QueueSpec): Promise<void> {
    this.declared.push(queue);
  }

  async consume(queue: QueueSpec, handler: MessageHandler): Promise<void> {
    this.consumed.push(queue);
    this.handler = handler;
  }
}

/** A transaction that answers the inbox claim and records the outbox rows written with it. */
class RecordingDatabase {
  readonly handledIds = new Set<string>();
  readonly outbox: unknown[][] = [];

  async transaction<T>(work: (manager: EntityManager) => Promise<T>) {
    const manager = {
      query: async (sql: string, params: unknown[]) => {
        // One array per outbox column; one row per message.
        const write = (columns: unknown[]) => {
          const messages = columns[0] as unknown[];
          if (messages.length > 0) this.outbox.push(columns);
          return messages.map((_, i) => `${this.outbox.length}-${i}`);
        };
        if (!sql.includes('saga_inbox')) return write(params).map((id) => ({ id }));
        // The inbox claim: alone (one row back, or none), or with the outbox rows it writes.
        const id = params[1] as string;
        const alone = params.length === 2;
        if (this.handledIds.has(id) && !sql.includes('ON CONFLICT')) throw inboxKeyViolation();
        if (this.handledIds.has(id)) return alone ? [] : [{ claimed: 0, ids: [] }];
        this.handledIds.add(id);
        if (alone) return [1];
        return [{ claimed: 1, ids: write(params.slice(2)) }];
      },
    };
    return work(manager as unknown as EntityManager);
  }
}

function dispatcherFor(
  instances: object[],
  choreography: SagaCoreOptions['choreography'] | null = {},
) {
  const transport = new RecordingTransport();
  const database = new RecordingDatabase();
  const relay = { publishCommitted: jest.fn() };
  const wrappers = instances.map((instance) => ({ instance, isDependencyTreeStatic: () => true }));
  const discovery = { getProviders: () => wrappers, getControllers: () => [] };
  const options: SagaCoreOptions = {
    serviceName: 'flight-service',
    amqpUrl: 'amqp://localhost',
    choreography: choreography ?? undefined,
  };
  const faults = new FaultRules(options);
  const dispatcher = new ChoreographyDispatcher(
    new InboundDeps(
      options,
      transport as unknown as MessageTransport,
      relay as unknown as OutboxRelay,
      new TypeOrmInbox(inboxDataSource(database)),
      discovery as unknown as DiscoveryService,
      new MetadataScanner(),
      faults,
    ),
  );
  return { dispatcher, transport, database, relay, faults };
}

function delivery(body: Partial<EventMessage>, deliveryCount = 1): IncomingMessage {
  const event: EventMessage = {
    messageId: 'e-1',
    type: requested.type,
    correlationId: 'b-1',
    source: 'orchestrator',
    payload: { id: 'b-1' },
    occurredAt: '2024-01-01T00:00:00.000Z',
    ...body,
  };
  return {
    messageId: event.messageId,
    type: event.type,
    body: event,
    headers: {},
    deliveryCount,
    redelivered: deliveryCount > 1,
  };
}

describe('ChoreographyDispatcher wiring', () => {
  it('binds its queue to every event type it reacts to, on every exchange', async () => {
    const reactions = new FlightReactions();
    // The same instance twice, as a `useExisting` alias shows it.
    const { dispatcher, transport } = dispatcherFor([reactions, reactions, new AuditReactions()]);
    await dispatcher.start();
    expect([...dispatcher.handledTypes].sort()).toEqual([
      'audit.noted',
      'trip.cancelled',
      'trip.failed',
      'trip.requested',
    ]);
    expect(transport.exchanges.sort()).toEqual(['audit.events', 'trip.events']);
    expect(transport.consumed).toHaveLength(1);
    const [queue] = transport.consumed;
    expect(queue).toMatchObject({ name: 'flight-service.events', prefetch: 32 });
    expect(queue.bindings).toEqual(
      expect.arrayContaining([
        { exchange: 'trip.events', routingKey: 'trip.requested' },
        { exchange: 'trip.events', routingKey: 'trip.failed' },
        { exchange: 'trip.events', routingKey: 'trip.cancelled' },
        { exchange: 'audit.events', routingKey: 'audit.noted' },
      ]),
    );
    expect(queue.bindings).toHaveLength(4);
  });

  it('uses the configured queue and prefetch', async () => {
    const { dispatcher, transport } = dispatcherFor([new FlightReactions()], {
      queue: 'flights.on-trips',
      prefetch: 4,
    });
    await dispatcher.start();
    expect(transport.consumed[0]).toMatchObject({ name: 'flights.on-trips', prefetch: 4 });
  });

  it('refuses to start with two handlers for one event type', async () => {
    const { dispatcher } = dispatcherFor([new FlightReactions(), new DuplicateRequested()]);
    await expect(dispatcher.start()).rejects.toThrow(
      'trip.requested has two handlers: FlightReactions.reserve and DuplicateRequested.again',
    );
  });

  it('refuses to start without any handler', async () => {
    const { dispatcher, transport } = dispatcherFor([{}]);
    await expect(dispatcher.start()).rejects.toThrow(/No @EventHandler/);
    expect(transport.consumed).toEqual([]);
  });

  it('does nothing in an app without choreography', async () => {
    const { dispatcher, transport } = dispatcherFor([new FlightReactions()], null);
    await dispatcher.start();
    expect(transport.declared).toEqual([]);
    expect(transport.consumed).toEqual([]);
  });
});

describe('ChoreographyDispatcher handling', () => {
  async function started(instances: object[]) {
    const wired = dispatcherFor(instances);
    await wired.dispatcher.start();
    return { ...wired, handle: wired.transport.handler as MessageHandler };
  }

  it('runs the handler and writes what it publishes to the outbox, then publishes it', async () => {
    const reactions = new FlightReactions();
    const { handle, database, relay } = await started([reactions]);
    await handle(delivery({}, 3));
    expect(reactions.seen).toEqual([
      { event: expect.objectContaining({ messageId: 'e-1' }), deliveryCount: 3 },
    ]);
    expect(database.outbox).toHaveLength(1);
    const [messageId, exchange, routingKey, type, body, headers] = database.outbox[0].map(
      (column) => (column as unknown[])[0],
    );
    expect([exchange, routingKey, type, headers]).toEqual([
      'trip.events',
      'trip.reserved',
      'trip.reserved',
      null,
    ]);
    expect(JSON.parse(body as string)).toEqual({
      messageId,
      type: 'trip.reserved',
      correlationId: 'b-1',
      source: 'flight-service',
      payload: { id: 'b-1', price: 250 },
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(messageId).not.toBe('e-1');
    expect(relay.publishCommitted).toHaveBeenCalledWith([
      { id: '1-0', message: expect.objectContaining({ messageId, routingKey: 'trip.reserved' }) },
    ]);
  });

  it('does nothing for an event it already handled', async () => {
    const reactions = new FlightReactions();
    const { handle, database, relay } = await started([reactions]);
    await handle(delivery({}));
    await handle(delivery({}, 2));
    expect(reactions.seen).toHaveLength(1);
    expect(database.outbox).toHaveLength(1);
    expect(relay.publishCommitted.mock.calls.map(([records]) => records.length)).toEqual([1, 0]);
  });

  it('dead-letters a malformed event or one of a type it does not react to', async () => {
    const { handle, database } = await started([new FlightReactions()]);
    await expect(handle(delivery({ correlationId: '' }))).rejects.toThrow(PoisonMessageError);
    await expect(handle(delivery({ type: 'trip.unknown' }))).rejects.toThrow(PoisonMessageError);
    expect(database.handledIds.size).toBe(0);
  });

  it("lets a handler's error through, so the event is delivered again", async () => {
    const { handle, relay } = await started([new FlightReactions()]);
    await expect(handle(delivery({ type: failed.type }))).rejects.toThrow('database is down');
    expect(relay.publishCommitted).not.toHaveBeenCalled();
  });

  it("lets a handler's poison verdict through, so the event is dead-lettered", async () => {
    const { handle } = await started([new PoisonReactions()]);
    await expect(handle(delivery({ type: 'trip.bad' }))).rejects.toThrow(PoisonMessageError);
  });
});
