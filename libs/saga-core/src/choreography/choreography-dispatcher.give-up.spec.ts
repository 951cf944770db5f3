import { InboundDeps } from '../participant/inbound-dispatcher';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EntityManager } from 'typeorm';
import { TypeOrmInbox } from '../persistence/typeorm/typeorm-inbox';
import { InjectedFaultError } from '../errors/injected-fault.error';
import { PoisonMessageError } from '../errors/poison-message.error';
import { FaultRules } from '../faults/fault-rules';
import { OutboxRelay } from '../messaging/outbox-relay';
import { SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageHandler, MessageTransport } from '../transport/message-transport';
import { ChoreographyDispatcher } from './choreography-dispatcher';
import { EventContext, GivingUp } from './event-context';
import { EventHandler } from './event-handler.decorator';
import { EventMessage, eventEndpoint } from '../transport/event-message';
import { RetryThenGiveUp } from './retry-then-give-up.decorator';
import { inboxDataSource, inboxKeyViolation } from '../participant/inbox-data-source.fixture';

const failed = eventEndpoint<{ id: string }>('trip.events', 'trip.failed');
const cancelled = eventEndpoint<{ id: string }>('trip.events', 'trip.flight.cancelled');
const cancelFailed = eventEndpoint<{ reason: string }>('trip.events', 'trip.flight.cancel-failed');

/** An undo whose outcome is set by the test; it records how it was called. */
class UndoReactions {
  failure: Error | null = null;
  readonly calls: (GivingUp | null)[] = [];
  worked = 0;

  @EventHandler(failed)
  @RetryThenGiveUp({
    maxAttempts: 3,
    initialDelayMs: 1,
    multiplier: 1,
    maxDelayMs: 1,
    jitter: false,
  })
  cancel(_event: EventMessage, ctx: EventContext): void {
    this.calls.push(ctx.givingUp);
    if (ctx.givingUp) {
      ctx.publish(cancelFailed, { reason: ctx.givingUp.reason });
      return;
    }
    if (this.failure) throw this.failure;
    this.worked++;
    ctx.publish(cancelled, { id: 'b-1' });
  }
}

class TooManyTries {
  @EventHandler(failed)
  @RetryThenGiveUp({
    maxAttempts: 7,
    initialDelayMs: 1,
    multiplier: 1,
    maxDelayMs: 1,
    jitter: false,
  })
  cancel(): void {}
}

/** Inbox claims and outbox rows, kept only when the transaction's work returns (a commit). */
class RecordingDatabase {
  readonly handledIds = new Set<string>();
  readonly published: { type: string; body: EventMessage }[] = [];

  async transaction<T>(work: (manager: EntityManager) => Promise<T>) {
    const claimed: string[] = [];
    const written: { type: string; body: EventMessage }[] = [];
    const write = (columns: unknown[]) => {
      const types = columns[3] as string[];
      const bodies = columns[4] as string[];
      types.forEach((type, i) =>
        written.push({ type, body: JSON.parse(bodies[i]) as EventMessage }),
      );
      return types.map((_, i) => `row-${this.published.length + i}`);
    };
    const manager = {
      query: async (sql: string, params: unknown[]) => {
        if (!sql.includes('saga_inbox')) return write(params).map((id) => ({ id }));
        const id = params[1] as string;
        const alone = params.length === 2;
        if (this.handledIds.has(id) || claimed.includes(id)) {
          if (!sql.includes('ON CONFLICT')) throw inboxKeyViolation();
          return alone ? [] : [{ claimed: 0, ids: [] }];
        }
        claimed.push(id);
        return alone ? [1] : [{ claimed: 1, ids: write(params.slice(2)) }];
      },
    };
    const result = await work(manager as unknown as EntityManager);
    for (const id of claimed) this.handledIds.add(id);
    this.published.push(...written);
    return result;
  }
}

async function started(instances: object[], deliveryLimit?: number) {
  let handle: MessageHandler | undefined;
  const transport = {
    declareExchange: async () => undefined,
    declareQueue: async () => undefined,
    consume: async (_queue: unknown, handler: MessageHandler) => {
      handle = handler;
    },
  };
  const database = new RecordingDatabase();
  const relay = { publishCommitted: jest.fn() };
  const wrappers = instances.map((instance) => ({ instance, isDependencyTreeStatic: () => true }));
  const discovery = { getProviders: () => wrappers, getControllers: () => [] };
  const options: SagaCoreOptions = {
    serviceName: 'flight-service',
    amqpUrl: 'amqp://localhost',
    deliveryLimit,
    choreography: {},
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
  await dispatcher.start();
  return { handle: handle as MessageHandler, database, faults };
}

function delivery(deliveryCount: number): IncomingMessage {
  const event: EventMessage = {
    messageId: 'e-1',
    type: failed.type,
    correlationId: 'b-1',
    source: 'payment-service',
    payload: { id: 'b-1' },
    occurredAt: '2024-01-01T00:00:00.000Z',
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

describe('ChoreographyDispatcher, a handler that retries then gives up', () => {
  // The dispatcher and the rules log what they do; the specs need not show it.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  it('retries a throw rule through redeliveries, then announces the failure on its last try', async () => {
    const undo = new UndoReactions();
    const { handle, database, faults } = await started([undo]);
    faults.add({ match: failed.type, action: 'throw' });
    await expect(handle(delivery(1))).rejects.toBeInstanceOf(InjectedFaultError);
    await expect(handle(delivery(2))).rejects.toBeInstanceOf(InjectedFaultError);
    expect(database.published).toEqual([]);

    await handle(delivery(3));
    // Called once, to announce: the rule applies to the tries, not to the announcement.
    expect(undo.calls).toEqual([
      { reason: expect.stringMatching(/threw while handling trip\.failed/), attempts: 3 },
    ]);
    expect(undo.worked).toBe(0);
    expect(database.published.map((p) => p.type)).toEqual([cancelFailed.type]);
    expect(database.handledIds).toEqual(new Set(['e-1']));
    expect(faults.list()[0].hits).toBe(3);
  });

  it("announces a handler's own error the same way, in a transaction of its own", async () => {
    const undo = new UndoReactions();
    undo.failure = new Error('the cancel statement failed');
    const { handle, database } = await started([undo]);
    await expect(handle(delivery(2))).rejects.toThrow('the cancel statement failed');
    await handle(delivery(3));
    expect(database.published).toEqual([
      {
        type: cancelFailed.type,
        body: expect.objectContaining({ payload: { reason: 'the cancel statement failed' } }),
      },
    ]);
  });

  it('does the work when a later try succeeds, and announces nothing else', async () => {
    const undo = new UndoReactions();
    const { handle, database, faults } = await started([undo]);
    faults.add({ match: failed.type, action: 'throw', count: 1 });
    await expect(handle(delivery(1))).rejects.toBeInstanceOf(InjectedFaultError);
    await handle(delivery(2));
    expect(undo.worked).toBe(1);
    expect(database.published.map((p) => p.type)).toEqual([cancelled.type]);
  });

  it('never turns an outage into an announced failure', async () => {
    const undo = new UndoReactions();
    undo.failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const { handle, database } = await started([undo]);
    await expect(handle(delivery(3))).rejects.toThrow('ECONNREFUSED');
    await expect(handle(delivery(6))).rejects.toThrow('ECONNREFUSED');
    expect(undo.calls).toEqual([null, null]);
    expect(database.published).toEqual([]);
  });

  it('still dead-letters poison at once', async () => {
    const undo = new UndoReactions();
    undo.failure = new PoisonMessageError('not a booking');
    const { handle, database } = await started([undo]);
    await expect(handle(delivery(3))).rejects.toBeInstanceOf(PoisonMessageError);
    expect(database.published).toEqual([]);
  });

  it('does nothing twice for an event it already announced', async () => {
    const undo = new UndoReactions();
    undo.failure = new Error('still failing');
    const { handle, database } = await started([undo]);
    await handle(delivery(3));
    await handle(delivery(4));
    expect(database.published).toHaveLength(1);
  });

  it('refuses to start when it would give up after the broker dead-letters the event', async () => {
    await expect(started([new TooManyTries()])).rejects.toThrow(
      'TooManyTries.cancel gives up after 7 tries, but its queue delivers an event at most 6 times',
    );
    await expect(started([new TooManyTries()], 6)).resolves.toBeDefined();
  });
});
