import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { findDecoratedMethods } from '../discovery/decorated-methods';
import { dropsReply, injectedStepError } from '../faults/fault-effects';
import { bindSaga } from '../observability/trace-context';
import { CommandMessage, IncomingMessage } from '../transport/message-envelope';
import { QueueSpec } from '../transport/message-transport';
import { CommandContext } from './command-context';
import { COMMAND_HANDLER_METADATA, CommandHandlerMetadata } from './command-handler.decorator';
import { parseCommandMessage } from './command-message.parser';
import { HandlerOutcome, buildReply, replyErrorOf, replyToOutgoing } from './command-reply.builder';
import { InboundDeps, InboundDispatcher } from './inbound-dispatcher';
import { InboundTry, InboundWork } from './inbound-runtime';
import { CommandOutcome, participantCommandsCounter } from './participant-metrics';
import { ReplyQueuePolicy } from './reply-queue-policy';
import { RolledBackAnswer } from './rolled-back-answer';

const DEFAULT_PREFETCH = 32;

interface BoundHandler {
  /** `Class.method`, for configuration errors. */
  name: string;
  invoke(...args: unknown[]): Promise<unknown>;
}

/**
 * The command adapter of the participant runtime (`InboundRuntime`): consumes the app's
 * command queue and runs each command through its `@CommandHandler`, its reply in the outbox
 * (no reply without the work, no work without its reply). A refusal rolls the handler's work
 * back and is answered apart. Each command first meets the app's runtime fault rules
 * (`FaultRules`), which may delay, fail, refuse, silence, throw or crash it.
 */
@Injectable()
export class ParticipantDispatcher extends InboundDispatcher<CommandMessage, CommandOutcome> {
  private readonly handlers = new Map<string, BoundHandler>();
  private readonly commands = participantCommandsCounter();
  private handled: ReadonlySet<string> = new Set();
  private replyQueues: ReplyQueuePolicy | null = null;

  constructor(deps: InboundDeps) {
    super(
      deps,
      {
        consumer: deps.options.serviceName,
        describe: (c) => `${c.type} (attempt ${c.attempt}) of saga ${c.sagaId}`,
        retryPolicy: () => null,
        work: (command, attempt) => this.work(command, attempt),
        count: (type, outcome) => this.count(type, outcome),
      },
      ParticipantDispatcher.name,
    );
  }

  /** The command types this app handles (after `start`). */
  get handledTypes(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }

  protected async prepare(): Promise<QueueSpec | null> {
    const participant = this.options.participant;
    if (!participant) return null;
    this.discoverHandlers(participant.channel);
    this.handled = this.handledTypes;
    const replyQueues = new ReplyQueuePolicy(
      participant.replyQueues ?? [this.options.orchestrator?.replyQueue ?? 'saga.replies'],
    );
    // Declared from this app's own configuration: no reply waits for an orchestrator's start.
    for (const name of replyQueues.queues) await this.declareQueue({ name });
    this.replyQueues = replyQueues;
    return { name: participant.channel, prefetch: participant.prefetch ?? DEFAULT_PREFETCH };
  }

  protected parse(message: IncomingMessage): CommandMessage {
    return parseCommandMessage(message.body, this.handled);
  }

  protected admit(command: CommandMessage): void {
    bindSaga(command.sagaId, command.step);
    // Set by `prepare`, which runs before the queue is consumed; never skipped if it were not.
    if (!this.replyQueues) throw new Error('ParticipantDispatcher admitted a command before start');
    try {
      this.replyQueues.check(command.replyTo);
    } catch (error) {
      this.count(command.type, 'poison');
      throw error;
    }
  }

  /** Runs the handler; a refusal (or an injected one) is answered apart, its work rolled back. */
  private async work(
    command: CommandMessage,
    { tx, fault, delivery }: InboundTry,
  ): Promise<InboundWork<CommandOutcome>> {
    if (!this.handlers.has(command.type)) throw new Error(`No handler for ${command.type}`);
    let suppressed = dropsReply(fault);
    let payload: unknown;
    const injected = injectedStepError(fault, command.type);
    try {
      // An injected fail or refuse answers in place of the handler, which never runs.
      if (injected) throw injected;
      const ctx: CommandContext = {
        sagaId: command.sagaId,
        messageId: command.messageId,
        step: command.step,
        phase: command.phase,
        attempt: command.attempt,
        manager: tx.manager,
        headers: delivery.headers,
        suppressReply: () => {
          suppressed = true;
        },
      };
      payload = await this.callHandler(command.type, command.payload, ctx);
    } catch (error) {
      const replyError = replyErrorOf(error);
      if (!replyError) throw error;
      const answer = this.answer(command, suppressed ? null : { error: replyError });
      throw new RolledBackAnswer(answer.outcome, answer.outgoing);
    }
    return this.answer(command, suppressed ? null : { payload });
  }

  /** The reply to write (none when `outcome` is null, the reply suppressed). */
  private answer(
    command: CommandMessage,
    outcome: HandlerOutcome | null,
  ): InboundWork<CommandOutcome> {
    if (!outcome) return { outcome: 'suppressed', outgoing: [] };
    const reply = buildReply(command, outcome, randomUUID(), new Date());
    return { outcome: reply.outcome, outgoing: [replyToOutgoing(command, reply)] };
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
    this.bindHandlers(
      [...this.handlers].map(([type, { name, invoke }]) => ({ name, types: [type], invoke })),
    );
  }

  protected count(type: string, outcome: CommandOutcome): void {
    this.commands.inc({ service: this.options.serviceName, type, outcome });
  }
}
