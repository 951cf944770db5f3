import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { findDecoratedMethods } from '../discovery/decorated-methods';
import { DataSource, EntityManager } from 'typeorm';
import {
  applyAfterCommit,
  applyBeforeHandling,
  dropsReply,
  injectedStepError,
} from '../faults/fault-effects';
import { FaultRule } from '../faults/fault-rule';
import { FaultRules } from '../faults/fault-rules';
import { reachFaultPoint } from '../faults/fault-point';
import { FaultPoint } from '../model/fault-hooks';
import { OutboxRelay } from '../messaging/outbox-relay';
import { debugLogging } from '../observability/log-scope';
import { bindSaga } from '../observability/trace-context';
import {
  claimAndEnqueue,
  claimIncoming,
  claimsBeforeHandling,
  enqueueOutgoing,
} from '../persistence/typeorm/typeorm-messaging';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { CommandMessage, IncomingMessage } from '../transport/message-envelope';
import { MessageTransport, QueueSpec } from '../transport/message-transport';
import { CommandContext } from './command-context';
import { COMMAND_HANDLER_METADATA, CommandHandlerMetadata } from './command-handler.decorator';
import { parseCommandMessage } from './command-message.parser';
import { OutboxRecord } from '../messaging/outbox-store.port';
import { ReplyError } from '../transport/message-envelope';
import { HandlerOutcome, buildReply, replyErrorOf, replyToOutgoing } from './command-reply.builder';
import { CommandOutcome, participantCommandsCounter } from './participant-metrics';
import { ReplyQueuePolicy } from './reply-queue-policy';

const DEFAULT_PREFETCH = 32;

/** How one transaction over a command ended, and the reply it wrote. */
interface Processed {
  outcome: CommandOutcome;
  enqueued: OutboxRecord[];
}

/** The inbox already had the command: what the handler did is rolled back. */
class AlreadyHandled extends Error {}

/** A handler refused the step: its transaction is rolled back, the refusal answered apart. */
class Refusal extends Error {
  constructor(
    readonly error: ReplyError,
    readonly suppressed: boolean,
  ) {
    super(error.message);
  }
}

interface BoundHandler {
  /** `Class.method`, for configuration errors. */
  name: string;
  invoke(payload: unknown, ctx: CommandContext): Promise<unknown>;
}

/**
 * The participant half of the engine: consumes the app's command queue and runs each command
 * through its `@CommandHandler` in one local transaction with the inbox row (exactly-once
 * effects over at-least-once delivery) and the reply in the outbox (no reply without the work,
 * no work without its reply). Each command first meets the app's runtime fault rules
 * (`FaultRules`), which may delay, fail, refuse, silence, throw or crash it.
 */
@Injectable()
export class ParticipantDispatcher {
  private readonly logger = new Logger(ParticipantDispatcher.name);
  private readonly handlers = new Map<string, BoundHandler>();
  private readonly commands = participantCommandsCounter();
  private started = false;

  constructor(
    @Inject(SAGA_CORE_OPTIONS) private readonly options: SagaCoreOptions,
    private readonly transport: MessageTransport,
    private readonly relay: OutboxRelay,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly faults: FaultRules,
  ) {}

  /** The command types this app handles (after `start`). */
  get handledTypes(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }

  async start(): Promise<void> {
    const participant = this.options.participant;
    if (!participant || this.started) return;
    this.discoverHandlers(participant.channel);
    const replyQueues = new ReplyQueuePolicy(
      participant.replyQueues ?? [this.options.orchestrator?.replyQueue ?? 'saga.replies'],
    );
    // Declared from this app's own configuration: no reply waits for an orchestrator's start.
    for (const name of replyQueues.queues) await this.transport.declareQueue({ name });
    const queue: QueueSpec = {
      name: participant.channel,
      prefetch: participant.prefetch ?? DEFAULT_PREFETCH,
    };
    await this.transport.declareQueue(queue);
    const handled = this.handledTypes;
    await this.transport.consume(queue, (message) => this.handle(message, handled, replyQueues));
    this.started = true;
  }

  private async handle(
    message: IncomingMessage,
    handled: ReadonlySet<string>,
    replyQueues: ReplyQueuePolicy,
  ): Promise<void> {
    let command: CommandMessage;
    try {
      command = parseCommandMessage(message.body, handled);
    } catch (error) {
      this.count('invalid', 'poison');
      throw error;
    }
    bindSaga(command.sagaId, command.step);
    try {
      replyQueues.check(command.replyTo);
    } catch (error) {
      this.count(command.type, 'poison');
      throw error;
    }
    const fault = this.faults.hit(command.type);
    let processed: Processed;
    try {
      await applyBeforeHandling(fault, command.type);
      processed = await this.processOrRefuse(command, fault, claimsBeforeHandling(message));
    } catch (error) {
      this.count(command.type, 'error');
      throw error;
    }
    applyAfterCommit(fault);
    this.count(command.type, processed.outcome);
    if (debugLogging.enabled) {
      this.logger.debug(
        `${command.type} (attempt ${command.attempt}) of saga ${command.sagaId}: ${processed.outcome}`,
      );
    }
    if (processed.enqueued.length > 0) reachFaultPoint(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
    this.relay.publishCommitted(processed.enqueued);
  }

  /**
   * The happy path is one transaction of four round trips: `START`, the handler's work, the
   * inbox row with the reply (one statement), `COMMIT`; a redelivery is claimed before its
   * handler runs instead (`claimsBeforeHandling`). A refusal rolls everything
   * back and is answered in a second transaction (inbox row and failure reply), which costs
   * less than a savepoint around every handler. PostgreSQL's default READ COMMITTED lets a
   * handler that loses an insert race see the winner's committed row.
   */
  private async processOrRefuse(
    command: CommandMessage,
    fault: FaultRule | null,
    claimedFirst: boolean,
  ): Promise<Processed> {
    try {
      return await this.dataSource.transaction((manager) =>
        this.process(manager, command, fault, claimedFirst),
      );
    } catch (error) {
      if (error instanceof AlreadyHandled) return { outcome: 'duplicate', enqueued: [] };
      if (!(error instanceof Refusal)) throw error;
      return this.dataSource.transaction(async (manager) => {
        const processed = await this.reply(
          manager,
          command,
          error.suppressed ? null : { error: error.error },
          false,
        );
        if (processed.outcome !== 'duplicate') reachFaultPoint(FaultPoint.BEFORE_COMMIT);
        return processed;
      });
    }
  }

  private async process(
    manager: EntityManager,
    command: CommandMessage,
    fault: FaultRule | null,
    claimFirst: boolean,
  ): Promise<Processed> {
    if (
      claimFirst &&
      !(await claimIncoming(manager, this.options.serviceName, command.messageId))
    ) {
      return { outcome: 'duplicate', enqueued: [] };
    }
    const handler = this.handlers.get(command.type);
    if (!handler) throw new Error(`No handler for ${command.type}`);
    let suppressed = dropsReply(fault);
    let payload: unknown;
    const injected = injectedStepError(fault, command.type);
    try {
      // An injected fail or refuse answers in place of the handler, which never runs.
      if (injected) throw injected;
      payload = await handler.invoke(command.payload, {
        sagaId: command.sagaId,
        messageId: command.messageId,
        step: command.step,
        phase: command.phase,
        attempt: command.attempt,
        manager,
        suppressReply: () => {
          suppressed = true;
        },
      });
    } catch (error) {
      const replyError = replyErrorOf(error);
      if (!replyError) throw error;
      throw new Refusal(replyError, suppressed);
    }
    const outcome = suppressed ? null : { payload };
    const processed = await this.reply(manager, command, outcome, claimFirst);
    if (processed.outcome === 'duplicate') throw new AlreadyHandled();
    reachFaultPoint(FaultPoint.BEFORE_COMMIT);
    return processed;
  }

  /**
   * Writes the reply (none when `outcome` is null) with the inbox row in the same statement;
   * or alone when the command was `claimed` before its handler ran.
   */
  private async reply(
    manager: EntityManager,
    command: CommandMessage,
    outcome: HandlerOutcome | null,
    claimed: boolean,
  ): Promise<Processed> {
    const reply = outcome ? buildReply(command, outcome, randomUUID(), new Date()) : null;
    const outgoing = reply ? [replyToOutgoing(command, reply)] : [];
    const enqueued = claimed
      ? await enqueueOutgoing(manager, outgoing)
      : await claimAndEnqueue(manager, this.options.serviceName, command.messageId, outgoing);
    if (!enqueued) return { outcome: 'duplicate', enqueued: [] };
    return { outcome: reply ? reply.outcome : 'suppressed', enqueued };
  }

  private discoverHandlers(channel: string): void {
    this.handlers.clear();
    const methods = findDecoratedMethods<CommandHandlerMetadata>(
      this.discovery,
      this.scanner,
      COMMAND_HANDLER_METADATA,
    );
    for (const { name, metadata, invoke } of methods) {
      if (metadata.channel !== channel) {
        throw new Error(
          `${name} handles ${metadata.type} on ${metadata.channel}, ` +
            `but this participant consumes ${channel}`,
        );
      }
      const existing = this.handlers.get(metadata.type);
      if (existing) {
        throw new Error(`${metadata.type} has two handlers: ${existing.name} and ${name}`);
      }
      this.handlers.set(metadata.type, { name, invoke });
    }
    if (this.handlers.size === 0) {
      throw new Error(`No @CommandHandler methods found for the participant channel ${channel}`);
    }
  }

  private count(type: string, outcome: CommandOutcome): void {
    this.commands.inc({ service: this.options.serviceName, type, outcome });
  }
}
