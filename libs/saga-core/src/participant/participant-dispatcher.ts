import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
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
import { FaultPoint, reachFaultPoint } from '../faults/fault-point';
import { OutboxRelay } from '../messaging/outbox-relay';
import { claimIncoming, enqueueOutgoing } from '../persistence/typeorm/typeorm-messaging';
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

const DEFAULT_PREFETCH = 32;

/** How one transaction over a command ended, and the reply it wrote. */
interface Processed {
  outcome: CommandOutcome;
  enqueued: OutboxRecord[];
}

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
    const queue: QueueSpec = {
      name: participant.channel,
      prefetch: participant.prefetch ?? DEFAULT_PREFETCH,
    };
    await this.transport.declareQueue(queue);
    const handled = this.handledTypes;
    await this.transport.consume(queue, (message) => this.handle(message, handled));
    this.started = true;
  }

  private async handle(message: IncomingMessage, handled: ReadonlySet<string>): Promise<void> {
    let command: CommandMessage;
    try {
      command = parseCommandMessage(message.body, handled);
    } catch (error) {
      this.count('invalid', 'poison');
      throw error;
    }
    const fault = this.faults.hit(command.type);
    let processed: Processed;
    try {
      await applyBeforeHandling(fault, command.type);
      processed = await this.processOrRefuse(command, fault);
    } catch (error) {
      this.count(command.type, 'error');
      throw error;
    }
    applyAfterCommit(fault);
    this.count(command.type, processed.outcome);
    if (processed.enqueued.length > 0) reachFaultPoint(FaultPoint.AFTER_COMMIT_BEFORE_PUBLISH);
    this.relay.publishCommitted(processed.enqueued);
  }

  /**
   * The happy path is one transaction: inbox row, the handler's work, the reply. A refusal
   * rolls all of it back and answers in a second transaction (inbox row and failure reply),
   * which costs less than a savepoint around every handler. PostgreSQL's default READ
   * COMMITTED lets a handler that loses an insert race see the winner's committed row.
   */
  private async processOrRefuse(
    command: CommandMessage,
    fault: FaultRule | null,
  ): Promise<Processed> {
    try {
      return await this.dataSource.transaction((manager) => this.process(manager, command, fault));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return this.dataSource.transaction(async (manager) => {
        if (!(await claimIncoming(manager, this.options.serviceName, command.messageId))) {
          return { outcome: 'duplicate', enqueued: [] };
        }
        const processed: Processed = error.suppressed
          ? { outcome: 'suppressed', enqueued: [] }
          : await this.reply(manager, command, { error: error.error });
        reachFaultPoint(FaultPoint.BEFORE_COMMIT);
        return processed;
      });
    }
  }

  private async process(
    manager: EntityManager,
    command: CommandMessage,
    fault: FaultRule | null,
  ): Promise<Processed> {
    if (!(await claimIncoming(manager, this.options.serviceName, command.messageId))) {
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
    const processed: Processed = suppressed
      ? { outcome: 'suppressed', enqueued: [] }
      : await this.reply(manager, command, { payload });
    reachFaultPoint(FaultPoint.BEFORE_COMMIT);
    return processed;
  }

  private async reply(
    manager: EntityManager,
    command: CommandMessage,
    outcome: HandlerOutcome,
  ): Promise<Processed> {
    const reply = buildReply(command, outcome, randomUUID(), new Date());
    const enqueued = await enqueueOutgoing(manager, [replyToOutgoing(command, reply)]);
    return { outcome: reply.outcome, enqueued };
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
