import { Logger } from '@nestjs/common';
import { RetryPolicy, retryDelayMs } from '../definition/retry-policy';
import { isTransientFailure } from '../errors/transient-failure';
import { applyAfterCommit, applyBeforeHandling } from '../faults/fault-effects';
import { FaultRule } from '../faults/fault-rule';
import { FaultRules } from '../faults/fault-rules';
import { FaultHooks, FaultPoint, NO_FAULTS } from '../model/fault-hooks';
import { OutboxRelay } from '../messaging/outbox-relay';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { debugLogging } from '../observability/log-scope';
import { stampTraceContext } from '../observability/trace-context';
import { IncomingMessage, OutgoingMessage } from '../transport/message-envelope';
import { GivingUp } from './giving-up';
import { GroupCommit, MemberFailed } from './group-commit';
import { Inbox } from './inbox.port';
import type { InboxTransaction } from './inbox.port';
import { RolledBackAnswer } from './rolled-back-answer';

/** How the runtime ends a delivery whatever its style (command or event). */
export type InboundOutcome = 'duplicate' | 'poison' | 'error' | 'given-up';

/** What the runtime reads of a parsed message. */
export interface InboundMessage {
  type: string;
  messageId: string;
}

/** What a handler's try hands the runtime to write: how it ended and what it sends. */
export interface InboundWork<O extends string> {
  outcome: O;
  outgoing: OutgoingMessage[];
}

/** What an adapter's work gets beside its message. */
export interface InboundTry {
  tx: InboxTransaction;
  delivery: IncomingMessage;
  /** The runtime fault rule this delivery met, if any. */
  fault: FaultRule | null;
  /** Set when the handler's tries are spent: it announces its failure instead of working. */
  givingUp: GivingUp | null;
}

/** The style-specific half of a participant: commands or events. */
export interface InboundAdapter<M extends InboundMessage, O extends string> {
  /** The inbox's consumer name. */
  readonly consumer: string;
  /** How the debug log names a message: `flight.reserve (attempt 2) of saga s-1`. */
  describe(message: M): string;
  /** The handler's retry policy; null sends every failure back to the transport as it is. */
  retryPolicy(type: string): RetryPolicy | null;
  /** Calls the handler; may throw a `RolledBackAnswer` to answer apart. */
  work(message: M, attempt: InboundTry): Promise<InboundWork<O>>;
  count(type: string, outcome: O | InboundOutcome): void;
}

interface Settled<O extends string> {
  outcome: O | InboundOutcome;
  enqueued: OutboxRecord[];
}

/** A group member whose handler ran: what it sends is written with the others'. */
interface Worked<O extends string> extends InboundWork<O> {
  messageId: string;
}

/** The inbox rows of a group and what its members send, in one statement. */
async function sealGroup<O extends string>(
  tx: InboxTransaction,
  done: readonly Worked<O>[],
): Promise<Settled<O>[]> {
  const claims = done.map((work) => ({ messageId: work.messageId, messages: work.outgoing }));
  const claimed = await tx.claimAllAndEnqueue(claims);
  if ('handledAlready' in claimed) throw new MemberFailed(claimed.handledAlready);
  return done.map((work, i) => ({ outcome: work.outcome, enqueued: claimed.enqueued[i] }));
}

/** The inbox already had the message: what the handler did is rolled back. */
class AlreadyHandled extends Error {}

function duplicate<O extends string>(): Settled<O> {
  return { outcome: 'duplicate', enqueued: [] };
}

/**
 * The inbound runtime both participant styles share. Each delivery meets the app's fault rules,
 * then its handler runs in one local transaction with the inbox row (exactly-once effects over
 * at-least-once delivery) and the outbox rows of what it sends (no work without its answer,
 * and the reverse); the relay publishes them once committed, and the transport acks after.
 * A failed try goes back to the transport; under a retry policy it comes again after the
 * policy's backoff and, its tries spent, the handler is called once more to announce its failure.
 */
export class InboundRuntime<M extends InboundMessage, O extends string> {
  private readonly logger: Logger;
  private readonly group: GroupCommit<Worked<O>, Settled<O>> | null;

  constructor(
    private readonly inbox: Inbox,
    private readonly relay: OutboxRelay,
    private readonly faults: FaultRules,
    private readonly adapter: InboundAdapter<M, O>,
    loggerName: string,
    /** The named fault points this runtime reaches; none by default. */
    private readonly hooks: FaultHooks = NO_FAULTS,
    /** Deliveries written together at most (`GroupCommit`); 1, the default, writes each alone. */
    groupCommit = 1,
  ) {
    this.logger = new Logger(loggerName);
    this.group =
      groupCommit > 1
        ? new GroupCommit(inbox, adapter.consumer, groupCommit, sealGroup, hooks)
        : null;
  }

  async handle(message: M, delivery: IncomingMessage): Promise<void> {
    const fault = this.faults.hit(message.type);
    let settled: Settled<O>;
    try {
      if (this.group && !fault && !this.inbox.claimsBeforeHandling(delivery)) {
        // A first delivery without a runtime fault: with whatever else arrives meanwhile.
        settled = await this.group.submit(
          (tx) => this.together(message, delivery, tx),
          () => this.transact(message, delivery, null, null),
        );
      } else {
        await applyBeforeHandling(fault, message.type);
        settled = await this.transact(message, delivery, fault, null);
        applyAfterCommit(fault);
      }
    } catch (error) {
      settled = await this.afterFailure(message, delivery, error);
    }
    this.adapter.count(message.type, settled.outcome);
    if (debugLogging.enabled) {
      this.logger.debug(`${this.adapter.describe(message)}: ${settled.outcome}`);
    }
    if (settled.enqueued.length > 0) this.hooks.reach(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
    this.relay.publishCommitted(settled.enqueued);
  }

  /**
   * A try failed. Poison and outages go back to the transport (dead-lettered at once, or held
   * and retried in place), as does everything without a retry policy; under one, the error is
   * retried through a redelivery after the backoff, and once the tries are spent the handler
   * announces its failure.
   */
  private async afterFailure(
    message: M,
    delivery: IncomingMessage,
    error: unknown,
  ): Promise<Settled<O>> {
    const poison = isPoison(error);
    const policy = this.adapter.retryPolicy(message.type);
    if (!policy || poison || isTransientFailure(error)) {
      this.adapter.count(message.type, poison ? 'poison' : 'error');
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    const tries = delivery.deliveryCount;
    if (tries < policy.maxAttempts) {
      this.adapter.count(message.type, 'error');
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(policy, tries)));
      throw error;
    }
    this.logger.warn(
      `Giving up ${message.type} ${message.messageId} after ${tries} tries: ${reason}`,
    );
    try {
      const settled = await this.transact(message, delivery, null, { reason, attempts: tries });
      return settled.outcome === 'duplicate' ? settled : { ...settled, outcome: 'given-up' };
    } catch (failure) {
      this.adapter.count(message.type, 'error');
      throw failure;
    }
  }

  /**
   * A group member's work: the handler, in `tx`; the group's seal writes its inbox row and
   * what it sends. Stamped here, in the delivery's own context, with the trace it continues.
   */
  private async together(
    message: M,
    delivery: IncomingMessage,
    tx: InboxTransaction,
  ): Promise<Worked<O>> {
    const work = await this.adapter.work(message, { tx, delivery, fault: null, givingUp: null });
    stampTraceContext(work.outgoing);
    return { messageId: message.messageId, ...work };
  }

  /**
   * The happy path is one transaction: `BEGIN`, the handler's work, the inbox row with the
   * outbox rows (one statement) and the `COMMIT` sent behind it, so the handler's statements
   * and one round trip where the pool pipelines; a redelivery is claimed before
   * its handler runs instead. A `RolledBackAnswer` rolls everything back and is written in a
   * second transaction (inbox row and answer).
   */
  private async transact(
    message: M,
    delivery: IncomingMessage,
    fault: FaultRule | null,
    givingUp: GivingUp | null,
  ): Promise<Settled<O>> {
    const { consumer } = this.adapter;
    const claimFirst = this.inbox.claimsBeforeHandling(delivery);
    try {
      return await this.inbox.transaction(consumer, async (tx) => {
        if (claimFirst && !(await tx.claim(message.messageId))) return duplicate<O>();
        const work = await this.adapter.work(message, { tx, delivery, fault, givingUp });
        if (claimFirst) {
          const enqueued = await tx.enqueue(work.outgoing);
          this.hooks.reach(FaultPoint.BEFORE_COMMIT);
          return { outcome: work.outcome, enqueued };
        }
        // The commit goes with the inbox row: its moment is before that statement is sent.
        this.hooks.reach(FaultPoint.BEFORE_COMMIT);
        const enqueued = await tx.claimAndEnqueue(message.messageId, work.outgoing, true);
        if (!enqueued) throw new AlreadyHandled();
        return { outcome: work.outcome, enqueued };
      });
    } catch (error) {
      if (error instanceof AlreadyHandled) return duplicate<O>();
      if (!(error instanceof RolledBackAnswer)) throw error;
      const answer = error as RolledBackAnswer<O>;
      return this.inbox.transaction(consumer, async (tx) => {
        this.hooks.reach(FaultPoint.BEFORE_COMMIT);
        const enqueued = await tx.claimAndEnqueue(message.messageId, answer.outgoing, true);
        if (!enqueued) return duplicate<O>();
        return { outcome: answer.outcome, enqueued };
      });
    }
  }
}

/** By code, as the transport decides it: a handler's PoisonMessageError is dead-lettered. */
function isPoison(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'POISON_MESSAGE';
}
