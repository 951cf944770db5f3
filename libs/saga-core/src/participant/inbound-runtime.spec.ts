import { EntityManager } from 'typeorm';
import { RetryPolicy } from '../definition/retry-policy';
import { PoisonMessageError } from '../errors/poison-message.error';
import { FaultRules } from '../faults/fault-rules';
import { OutboxRelay } from '../messaging/outbox-relay';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { SagaCoreOptions } from '../saga-core.options';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { GivingUp } from './giving-up';
import { InboundAdapter, InboundMessage, InboundRuntime } from './inbound-runtime';
import { Inbox, InboxTransaction } from './inbox.port';
import { RolledBackAnswer } from './rolled-back-answer';

/** Inbox rows in memory; a transaction's claims vanish when its work throws. */
class MemoryInbox implements Inbox {
  readonly handled = new Set<string>();
  readonly outbox: OutgoingMessage[] = [];

  claimsBeforeHandling(delivery: IncomingMessage): boolean {
    return delivery.deliveryCount > 1;
  }

  async transaction<T>(consumer: string, work: (tx: InboxTransaction) => Promise<T>): Promise<T> {
    const claims: string[] = [];
    const writes: OutgoingMessage[] = [];
    const claim = (id: string): boolean => {
      const key = `${consumer}/${id}`;
      if (this.handled.has(key)) return false;
      this.handled.add(key);
      claims.push(key);
      return true;
    };
    const records = (messages: readonly OutgoingMessage[]): OutboxRecord[] => {
      writes.push(...messages);
      return messages.map((message, i) => ({ id: String(i), message }));
    };
    try {
      const result = await work({
        manager: {} as EntityManager,
        claim: async (id) => claim(id),
        claimAndEnqueue: async (id, messages) => (claim(id) ? records(messages) : null),
        claimAllAndEnqueue: async () => ({ handledAlready: 0 }),
        enqueue: async (messages) => records(messages),
        join: async () => null,
      });
      this.outbox.push(...writes);
      return result;
    } catch (error) {
      for (const key of claims) this.handled.delete(key);
      throw error;
    }
  }
}

const POLICY: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 100,
  multiplier: 2,
  maxDelayMs: 1_000,
  jitter: false,
};

const announcement = (reason: string): OutgoingMessage => ({
  messageId: 'm-failed',
  exchange: 'trip.events',
  routingKey: 'step.failed',
  type: 'step.failed',
  body: { reason },
});

/** Both styles' shapes of one failing handler: an event reaction and a command handler. */
const STYLES = {
  event: (givingUp: GivingUp | null, error: Error) => {
    if (!givingUp) throw error;
    return announcement(givingUp.reason);
  },
  command: (givingUp: GivingUp | null, error: Error) => {
    if (!givingUp) throw error;
    throw new RolledBackAnswer('failure', [announcement(givingUp.reason)]);
  },
};

function runtime(
  style: keyof typeof STYLES,
  policy: RetryPolicy | null,
  error = new Error('the supplier is down'),
) {
  const inbox = new MemoryInbox();
  const counts: string[] = [];
  const handle = STYLES[style];
  const adapter: InboundAdapter<InboundMessage, 'handled' | 'failure'> = {
    consumer: 'flight-service',
    describe: (m) => m.type,
    retryPolicy: () => policy,
    work: async (_message, { givingUp }) => ({
      outcome: 'handled',
      outgoing: [handle(givingUp, error)],
    }),
    count: (_type, outcome) => counts.push(outcome),
  };
  const options = { serviceName: 'flight-service' } as SagaCoreOptions;
  const relay = { publishCommitted: jest.fn() } as unknown as OutboxRelay;
  const run = new InboundRuntime(inbox, relay, new FaultRules(options), adapter, 'Test');
  return { inbox, counts, run };
}

function delivery(deliveryCount: number): IncomingMessage {
  return {
    messageId: 'm-1',
    type: 'flight.cancel',
    body: {},
    headers: {},
    deliveryCount,
    redelivered: deliveryCount > 1,
  };
}

const MESSAGE: InboundMessage = { type: 'flight.cancel', messageId: 'm-1' };

/** Delivers until the runtime stops throwing; returns the backoff delays it waited. */
async function deliverUntilSettled<O extends string>(run: InboundRuntime<InboundMessage, O>) {
  const delays: number[] = [];
  const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms = 0) => {
    delays.push(ms);
    fn();
    return 0;
  }) as unknown as typeof setTimeout);
  try {
    for (let count = 1; count <= POLICY.maxAttempts; count++) {
      try {
        await run.handle(MESSAGE, delivery(count));
        return { delays, settledOn: count };
      } catch {
        // back to the transport: the next delivery comes
      }
    }
    return { delays, settledOn: null };
  } finally {
    spy.mockRestore();
  }
}

describe('InboundRuntime retries the same way for commands and events', () => {
  it.each(['event', 'command'] as const)(
    '%s: a failing handler is retried with backoff, then announces its failure once',
    async (style) => {
      const { inbox, counts, run } = runtime(style, POLICY);
      const { delays, settledOn } = await deliverUntilSettled(run);
      expect(delays).toEqual([100, 200]);
      expect(settledOn).toBe(3);
      expect(counts).toEqual(['error', 'error', 'given-up']);
      expect(inbox.outbox.map((m) => m.body)).toEqual([{ reason: 'the supplier is down' }]);
      expect(inbox.handled).toEqual(new Set(['flight-service/m-1']));
    },
  );

  it.each(['event', 'command'] as const)(
    '%s: without a retry policy a failure goes back to the transport every time',
    async (style) => {
      const { inbox, counts, run } = runtime(style, null);
      const { delays, settledOn } = await deliverUntilSettled(run);
      expect({ delays, settledOn, counts }).toEqual({
        delays: [],
        settledOn: null,
        counts: ['error', 'error', 'error'],
      });
      expect(inbox.handled.size).toBe(0);
    },
  );

  it.each(['event', 'command'] as const)(
    '%s: poison goes back at once, counted as poison, whatever the policy',
    async (style) => {
      const { counts, run } = runtime(style, POLICY, new PoisonMessageError('not a booking'));
      await expect(run.handle(MESSAGE, delivery(1))).rejects.toThrow('not a booking');
      expect(counts).toEqual(['poison']);
    },
  );
});
