import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { findDecoratedMethods } from '../discovery/decorated-methods';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxRelay } from '../messaging/outbox-relay';
import { claimIncoming, enqueueOutgoing } from '../persistence/typeorm/typeorm-messaging';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { CommandMessage, IncomingMessage } from '../transport/message-envelope';
import { MessageTransport, QueueSpec } from '../transport/message-transport';
import { CommandContext } from './command-context';
import { COMMAND_HANDLER_METADATA, CommandHandlerMetadata } from './command-handler.decorator';
import { parseCommandMessage } from './command-message.parser';
import { HandlerOutcome, buildReply, replyErrorOf, replyToOutgoing } from './command-reply.builder';
import { CommandOutcome, participantCommandsCounter } from './participant-metrics';

const DEFAULT_PREFETCH = 32;

interface BoundHandler {
  /** `Class.method`, for configuration errors. */
  name: string;
  invoke(payload: unknown, ctx: CommandContext): Promise<unknown>;
}

/**
 * The participant half of the engine: consumes the app's command queue and runs each command
 * through its `@CommandHandler` in one local transaction with the inbox row (exactly-once
 * effects over at-least-once delivery) and the reply in the outbox (no reply without the work,
 * no work without its reply).
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
    let outcome: CommandOutcome;
    try {
      // Read committed on purpose: a handler that loses an insert race to a concurrent
      // transaction must then see that transaction's committed row.
      outcome = await this.dataSource.transaction('READ COMMITTED', (manager) =>
        this.process(manager, command),
      );
    } catch (error) {
      this.count(command.type, 'error');
      throw error;
    }
    this.count(command.type, outcome);
    if (outcome === 'success' || outcome === 'failure') this.relay.kick();
  }

  private async process(manager: EntityManager, command: CommandMessage): Promise<CommandOutcome> {
    if (!(await claimIncoming(manager, this.options.serviceName, command.messageId))) {
      return 'duplicate';
    }
    const handler = this.handlers.get(command.type);
    if (!handler) throw new Error(`No handler for ${command.type}`);
    let suppressed = false;
    let outcome: HandlerOutcome;
    try {
      // A savepoint: a refusal undoes the handler's partial writes but keeps the inbox row.
      const payload = await manager.transaction((savepoint) =>
        handler.invoke(command.payload, {
          sagaId: command.sagaId,
          messageId: command.messageId,
          step: command.step,
          phase: command.phase,
          attempt: command.attempt,
          manager: savepoint,
          suppressReply: () => {
            suppressed = true;
          },
        }),
      );
      outcome = { payload };
    } catch (error) {
      const replyError = replyErrorOf(error);
      if (!replyError) throw error;
      outcome = { error: replyError };
    }
    if (suppressed) return 'suppressed';
    const reply = buildReply(command, outcome, randomUUID(), new Date());
    await enqueueOutgoing(manager, [replyToOutgoing(command, reply)]);
    return reply.outcome;
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
