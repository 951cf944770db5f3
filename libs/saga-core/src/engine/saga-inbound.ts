import { PoisonMessageError } from '../errors/poison-message.error';
import { bindSaga } from '../observability/trace-context';
import { parseEventMessage } from '../transport/event-message.parser';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageTransport } from '../transport/message-transport';
import { parseReplyMessage } from './reply-message.parser';
import { SagaRegistry } from './saga-registry';
import { SagaWriter } from './saga-writer';
import { leavingUnregistered } from './unregistered-definitions';

/** Inbox names under which the engine records the replies and events it handled. */
const REPLY_CONSUMER = 'saga-engine';
const EVENT_CONSUMER = 'saga-engine:events';

/** Unacked deliveries of the reply queue, and of the event queue, at most. */
export const INBOUND_PREFETCH = 64;

export interface SagaInboundQueues {
  replyQueue: string;
  eventQueue: string;
  /** Messages of sagas pinned to versions this app does not run are handed back. */
  leavesUnregistered: boolean;
}

/**
 * The engine's side of the broker: the command queues its sagas send to, its reply queue, and
 * its event queue bound to every event its sagas follow; each message goes to its saga's
 * machine, whatever the machine's style.
 */
export class SagaInbound {
  constructor(
    private readonly registry: SagaRegistry,
    private readonly writer: SagaWriter,
    private readonly transport: MessageTransport,
    private readonly queues: SagaInboundQueues,
  ) {}

  /** Declares the queues and starts consuming replies and events. */
  async start(): Promise<void> {
    for (const name of this.registry.commandChannels()) await this.transport.declareQueue({ name });
    const replies = { name: this.queues.replyQueue, prefetch: INBOUND_PREFETCH };
    await this.transport.declareQueue(replies);
    await this.transport.consume(replies, (message) =>
      this.unlessUnregistered(message, replies.name, () => this.handleReply(message)),
    );
    const observed = this.registry.observedEvents();
    if (observed.size === 0) return;
    const bindings = [...observed].flatMap(([exchange, types]) =>
      [...types].map((routingKey) => ({ exchange, routingKey })),
    );
    for (const exchange of observed.keys()) await this.transport.declareExchange(exchange);
    const queue = { name: this.queues.eventQueue, bindings, prefetch: INBOUND_PREFETCH };
    await this.transport.declareQueue(queue);
    const types = new Set(bindings.map((b) => b.routingKey));
    await this.transport.consume(queue, (message) =>
      this.unlessUnregistered(message, queue.name, () => this.handleEvent(message, types)),
    );
  }

  /** The work queues the engine sends commands to or consumes replies and events from. */
  workQueues(): string[] {
    const events = this.registry.observedEvents().size > 0 ? [this.queues.eventQueue] : [];
    return [...new Set([...this.registry.commandChannels(), this.queues.replyQueue, ...events])];
  }

  /** Handles one reply; the transport acks it once this resolves. */
  handleReply(message: IncomingMessage): Promise<void> {
    const reply = parseReplyMessage(message.body);
    bindSaga(reply.sagaId, reply.step);
    const claim = { consumer: REPLY_CONSUMER, messageId: reply.messageId };
    return this.writer.decideAndWrite(reply.sagaId, claim, (instance) => {
      const machine = this.registry.machine(instance.definitionName, instance.definitionVersion);
      if (!machine.onReply) {
        throw new PoisonMessageError(`saga ${instance.id} takes no replies: it sends no commands`);
      }
      return machine.onReply(instance, reply);
    });
  }

  /** Projects one event of a saga that follows events; the transport acks it once this resolves. */
  handleEvent(message: IncomingMessage, types: ReadonlySet<string>): Promise<void> {
    const event = parseEventMessage(message.body, types);
    bindSaga(event.correlationId);
    const claim = { consumer: EVENT_CONSUMER, messageId: event.messageId };
    return this.writer.decideAndWrite(event.correlationId, claim, (instance) => {
      const machine = this.registry.machine(instance.definitionName, instance.definitionVersion);
      return machine.onEvent ? machine.onEvent(instance, event) : null;
    });
  }

  /** `handle`, or the message handed back to `queue` if its saga is another instance's. */
  private unlessUnregistered(
    message: IncomingMessage,
    queue: string,
    handle: () => Promise<void>,
  ): Promise<void> {
    if (!this.queues.leavesUnregistered) return handle();
    return leavingUnregistered(this.transport, message, queue, handle);
  }
}
