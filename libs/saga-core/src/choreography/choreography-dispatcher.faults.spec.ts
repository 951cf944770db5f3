import { InboundDeps } from '../participant/inbound-dispatcher';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EntityManager } from 'typeorm';
import { TypeOrmInbox } from '../persistence/typeorm/typeorm-inbox';
import { InjectedFaultError } from '../errors/injected-fault.error';
import { RetryableStepError } from '../errors/retryable-step.error';
import { TerminalStepError } from '../errors/terminal-step.error';
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

/** Models a step: raises an injected fault before its work, and announces a refusal. */
class StepReactions {
  worked = 0;

  @EventHandler(requested)
  reserve(_event: EventMessage, ctx: EventContext): void {
    try {
      ctx.raiseInjectedFault();
    } catch (error) {
      if (!(error instanceof TerminalStepError)) throw error;
      ctx.publish(failed, { id: 'b-1' });
      return;
    }
    this.worked++;
    ctx.publish(reserved, { id: 'b-1', price: 250 });
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

describe('ChoreographyDispatcher fault rules', () => {
  // The rules log each firing; the specs need not show it.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  async function started(instances: object[]) {
    const wired = dispatcherFor(instances);
    await wired.dispatcher.start();
    return { ...wired, handle: wired.transport.handler as MessageHandler };
  }

  const publishedTypes = (database: RecordingDatabase) =>
    database.outbox.flatMap((columns) => columns[3] as string[]);

  it('commits the work of a drop-reply rule but publishes nothing', async () => {
    const reactions = new FlightReactions();
    const { handle, database, faults, relay } = await started([reactions]);
    faults.add({ match: requested.type, action: 'drop-reply', count: 1 });
    await handle(delivery({}));
    expect(reactions.seen).toHaveLength(1);
    expect(database.outbox).toEqual([]);
    expect(relay.publishCommitted).toHaveBeenLastCalledWith([]);
    await handle(delivery({ messageId: 'e-2' }));
    expect(publishedTypes(database)).toEqual([reserved.type]);
  });

  it('fails the delivery of a throw rule without running the handler', async () => {
    const reactions = new FlightReactions();
    const { handle, faults } = await started([reactions]);
    faults.add({ match: '*', action: 'throw', count: 1 });
    await expect(handle(delivery({}))).rejects.toBeInstanceOf(InjectedFaultError);
    expect(reactions.seen).toEqual([]);
    await handle(delivery({}, 2));
    expect(reactions.seen).toHaveLength(1);
  });

  it('hands a refuse rule to the handler, which announces the refusal', async () => {
    const reactions = new StepReactions();
    const { handle, database, faults } = await started([reactions]);
    faults.add({ match: requested.type, action: 'refuse', count: 1 });
    await handle(delivery({}));
    expect(reactions.worked).toBe(0);
    expect(publishedTypes(database)).toEqual([failed.type]);
  });

  it('hands a fail rule to the handler as a retryable error, so the event comes again', async () => {
    const reactions = new StepReactions();
    const { handle, database, faults } = await started([reactions]);
    faults.add({ match: requested.type, action: 'fail', count: 1 });
    await expect(handle(delivery({}))).rejects.toBeInstanceOf(RetryableStepError);
    expect(reactions.worked).toBe(0);
    expect(database.outbox).toEqual([]);
  });

  it('fails the delivery when the handler never raises an injected refusal', async () => {
    const reactions = new FlightReactions();
    const { handle, faults } = await started([reactions]);
    faults.add({ match: requested.type, action: 'refuse' });
    await expect(handle(delivery({}))).rejects.toBeInstanceOf(TerminalStepError);
  });

  it('waits out a delay rule before handling', async () => {
    const reactions = new FlightReactions();
    const { handle, faults } = await started([reactions]);
    faults.add({ match: requested.type, action: 'delay', delayMs: 30 });
    jest.useFakeTimers();
    try {
      const handled = handle(delivery({}));
      await Promise.resolve();
      expect(reactions.seen).toEqual([]);
      await jest.advanceTimersByTimeAsync(30);
      await handled;
      expect(reactions.seen).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('leaves events no rule matches alone', async () => {
    const reactions = new FlightReactions();
    const { handle, database, faults } = await started([reactions]);
    faults.add({ match: 'trip.other', action: 'throw' });
    await handle(delivery({}));
    expect(publishedTypes(database)).toEqual([reserved.type]);
    expect(faults.list()[0].hits).toBe(0);
  });
});
