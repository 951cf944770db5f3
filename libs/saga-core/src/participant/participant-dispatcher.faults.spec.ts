import { InboundDeps } from './inbound-dispatcher';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EntityManager } from 'typeorm';
import { TypeOrmInbox } from '../persistence/typeorm/typeorm-inbox';
import { InjectedFaultError } from '../errors/injected-fault.error';
import { FaultRules } from '../faults/fault-rules';
import { OutboxRelay } from '../messaging/outbox-relay';
import { SagaCoreOptions } from '../saga-core.options';
import { CommandMessage, IncomingMessage, ReplyMessage } from '../transport/message-envelope';
import { MessageHandler, MessageTransport } from '../transport/message-transport';
import { CommandHandler } from './command-handler.decorator';
import { ParticipantDispatcher } from './participant-dispatcher';
import { inboxDataSource, inboxKeyViolation } from './inbox-data-source.fixture';

class SeatHandlers {
  reserved = 0;

  @CommandHandler({ channel: 'flight.commands', type: 'flight.reserve' })
  reserve(): { price: number } {
    this.reserved++;
    return { price: 250 };
  }

  @CommandHandler({ channel: 'flight.commands', type: 'flight.cancel' })
  cancel(): void {}
}

/**
 * One transaction: answers the inbox claim and records the replies written with it;
 * a transaction that throws leaves nothing behind, as a rollback would.
 */
class RecordingDatabase {
  readonly handledIds = new Set<string>();
  readonly replies: ReplyMessage[] = [];

  async transaction<T>(work: (manager: EntityManager) => Promise<T>) {
    const claimed: string[] = [];
    const written: ReplyMessage[] = [];
    const manager = {
      query: async (sql: string, params: unknown[]) => {
        // One array per outbox column; one row per message, each with its id.
        const write = (columns: unknown[]) => {
          const bodies = columns[4] as string[];
          const ids = bodies.map((_, i) => String(this.replies.length + written.length + i));
          written.push(...bodies.map((body) => JSON.parse(body) as ReplyMessage));
          return ids;
        };
        if (!sql.includes('saga_inbox')) return write(params).map((id) => ({ id }));
        // The inbox claim: alone (one row back, or none), or with the outbox rows it writes.
        const id = params[1] as string;
        const alone = params.length === 2;
        if (this.handledIds.has(id) && !sql.includes('ON CONFLICT')) throw inboxKeyViolation();
        if (this.handledIds.has(id)) return alone ? [] : [{ claimed: 0, ids: [] }];
        this.handledIds.add(id);
        claimed.push(id);
        if (alone) return [1];
        return [{ claimed: 1, ids: write(params.slice(2)) }];
      },
    } as unknown as EntityManager;
    try {
      const result = await work(manager);
      this.replies.push(...written);
      return result;
    } catch (error) {
      for (const id of claimed) this.handledIds.delete(id);
      throw error;
    }
  }
}

async function started() {
  const handlers = new SeatHandlers();
  const database = new RecordingDatabase();
  let handle: MessageHandler | undefined;
  const transport = {
    declareQueue: async () => undefined,
    consume: async (_queue: unknown, h: MessageHandler) => {
      handle = h;
    },
  };
  const options: SagaCoreOptions = {
    serviceName: 'flight-service',
    amqpUrl: 'amqp://localhost',
    participant: { channel: 'flight.commands', replyQueues: ['orchestrator.replies'] },
  };
  const wrappers = [{ instance: handlers, isDependencyTreeStatic: () => true }];
  const faults = new FaultRules(options);
  const dispatcher = new ParticipantDispatcher(
    new InboundDeps(
      options,
      transport as unknown as MessageTransport,
      { publishCommitted: jest.fn() } as unknown as OutboxRelay,
      new TypeOrmInbox(inboxDataSource(database)),
      { getProviders: () => wrappers, getControllers: () => [] } as unknown as DiscoveryService,
      new MetadataScanner(),
      faults,
    ),
  );
  await dispatcher.start();
  return { handlers, database, faults, handle: handle as MessageHandler };
}

function delivery(
  messageId: string,
  type = 'flight.reserve',
  replyTo = 'orchestrator.replies',
): IncomingMessage {
  const command: CommandMessage = {
    messageId,
    type,
    sagaId: 's-1',
    step: 'flight',
    stepIndex: 0,
    phase: type.endsWith('cancel') ? 'compensation' : 'forward',
    attempt: 1,
    replyTo,
    payload: { bookingId: 'b-1' },
    sentAt: '2024-01-01T00:00:00.000Z',
  };
  return { messageId, type, body: command, headers: {}, deliveryCount: 1, redelivered: false };
}

describe('ParticipantDispatcher fault rules', () => {
  // The rules log each firing; the specs need not show it.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  it('dead-letters a command whose replyTo is not an allowed reply queue, doing nothing', async () => {
    const { handlers, database, handle } = await started();
    for (const replyTo of ['orchestrator.replies.dead-letter', 'amq.gen-x', 'random-1']) {
      await expect(
        handle(delivery(`c-${replyTo}`, 'flight.reserve', replyTo)),
      ).rejects.toMatchObject({ code: 'POISON_MESSAGE', reason: 'untrusted-reply-to' });
    }
    expect(handlers.reserved).toBe(0);
    expect(database.replies).toEqual([]);
    expect(database.handledIds.size).toBe(0);
  });

  it('answers a fail rule with a retryable error, without running the handler', async () => {
    const { handlers, database, faults, handle } = await started();
    faults.add({ match: 'flight.reserve', action: 'fail', count: 1 });
    await handle(delivery('c-1'));
    await handle(delivery('c-2'));
    expect(handlers.reserved).toBe(1);
    expect(database.replies.map((r) => [r.outcome, r.error?.retryable])).toEqual([
      ['failure', true],
      ['success', undefined],
    ]);
    expect(database.replies[0].error?.code).toBe('INJECTED_TRANSIENT_FAILURE');
  });

  it('answers a refuse rule with a business refusal, on compensations too', async () => {
    const { database, faults, handle } = await started();
    faults.add({ match: '*', action: 'refuse' });
    await handle(delivery('c-1', 'flight.cancel'));
    expect(database.replies[0]).toMatchObject({
      phase: 'compensation',
      outcome: 'failure',
      error: { code: 'INJECTED_REFUSAL', retryable: false },
    });
  });

  it('does the work of a drop-reply rule and sends no reply', async () => {
    const { handlers, database, faults, handle } = await started();
    faults.add({ match: 'flight.reserve', action: 'drop-reply' });
    await handle(delivery('c-1'));
    expect(handlers.reserved).toBe(1);
    expect(database.replies).toEqual([]);
    expect(database.handledIds.has('c-1')).toBe(true);
  });

  it('throws for a throw rule before anything is recorded, so the message comes again', async () => {
    const { handlers, database, faults, handle } = await started();
    faults.add({ match: 'flight.reserve', action: 'throw', count: 2 });
    await expect(handle(delivery('c-1'))).rejects.toBeInstanceOf(InjectedFaultError);
    await expect(handle(delivery('c-1'))).rejects.toBeInstanceOf(InjectedFaultError);
    await handle(delivery('c-1'));
    expect(handlers.reserved).toBe(1);
    expect(database.replies.map((r) => r.outcome)).toEqual(['success']);
  });

  it('spends no rule on a command type it does not match', async () => {
    const { database, faults, handle } = await started();
    faults.add({ match: 'flight.cancel', action: 'fail', count: 1 });
    await handle(delivery('c-1'));
    expect(database.replies.map((r) => r.outcome)).toEqual(['success']);
    expect(faults.list()[0]).toMatchObject({ remaining: 1, hits: 0 });
  });
});

describe('ParticipantDispatcher inbox', () => {
  it('does not run the handler again for a broker redelivery of a command it handled', async () => {
    const { handlers, database, handle } = await started();
    await handle(delivery('c-1'));
    // Never acked (the process died after its commit): the broker delivers it again.
    await handle({ ...delivery('c-1'), deliveryCount: 2, redelivered: true });

    expect(handlers.reserved).toBe(1);
    expect(database.replies).toHaveLength(1);
  });

  it('rolls back the work of a second copy of a command and writes no second reply', async () => {
    const { handlers, database, handle } = await started();
    await handle(delivery('c-1'));
    // Published twice (a confirm that never came): the copy is a first delivery too.
    await handle(delivery('c-1'));

    expect(handlers.reserved).toBe(2);
    expect(database.replies).toHaveLength(1);
    expect([...database.handledIds]).toEqual(['c-1']);
  });
});
