import { randomUUID } from 'node:crypto';
import {
  CommandMessage,
  CommandPhase,
  IncomingMessage,
  ReplyMessage,
} from '@app/saga-core/transport/message-envelope';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { StepFault, stepFaultsHeaders, stepFaultsLabels } from '@app/saga-core';
import { eventually } from '../support/wait-for';

/**
 * Plays the orchestrator for the participant tests: sends commands over the real transport
 * and collects the replies from its own durable reply queue.
 */
export class CommandClient {
  readonly replies: ReplyMessage[] = [];

  private constructor(
    private readonly transport: RabbitMqTransport,
    readonly replyQueue: string,
  ) {}

  static async open(url: string, replyQueue = 'test.replies'): Promise<CommandClient> {
    const transport = new RabbitMqTransport({ url, connectionName: 'participants-int-spec' });
    await transport.init();
    const client = new CommandClient(transport, replyQueue);
    await transport.consume({ name: replyQueue }, async (message: IncomingMessage) => {
      client.replies.push(message.body as ReplyMessage);
    });
    return client;
  }

  /** A well-formed command; `phase` follows from the type unless overridden. */
  command(type: string, payload: unknown, overrides: Partial<CommandMessage> = {}): CommandMessage {
    const compensation = /\.(cancel|refund)$/.test(type);
    return {
      messageId: randomUUID(),
      type,
      sagaId: randomUUID(),
      step: type.split('.')[0],
      stepIndex: 0,
      phase: compensation ? CommandPhase.COMPENSATION : CommandPhase.FORWARD,
      attempt: 1,
      replyTo: this.replyQueue,
      payload,
      sentAt: new Date().toISOString(),
      ...overrides,
    };
  }

  /** `headers`: e.g. `stepFaultHeaders('flight', 'fail')`, as a booking's faults travel. */
  async send(
    channel: string,
    command: CommandMessage,
    headers?: Record<string, string>,
  ): Promise<void> {
    await this.sendBody(channel, command.type, command, command.messageId, headers);
  }

  async sendBody(
    channel: string,
    type: string,
    body: object,
    messageId: string = randomUUID(),
    headers?: Record<string, string>,
  ): Promise<void> {
    const message = { messageId, exchange: '', routingKey: channel, type, body };
    await this.transport.publish(headers ? { ...message, headers } : message);
  }

  /** Sends a command and waits for its reply. */
  async call(
    channel: string,
    command: CommandMessage,
    headers?: Record<string, string>,
  ): Promise<ReplyMessage> {
    await this.send(channel, command, headers);
    return this.replyTo(command);
  }

  async replyTo(command: CommandMessage, timeoutMs = 15_000): Promise<ReplyMessage> {
    let reply: ReplyMessage | undefined;
    await eventually(() => {
      reply = this.replies.find((r) => r.inReplyTo === command.messageId);
      expect(reply).toBeDefined();
    }, timeoutMs);
    return reply as ReplyMessage;
  }

  /**
   * Sends a marker to the reply queue and waits until it comes back: every reply the broker
   * had confirmed before it has been consumed by then (one consumer, in queue order).
   */
  async marker(): Promise<void> {
    const messageId = randomUUID();
    const body = { messageId, type: 'test.marker' };
    await this.sendBody(this.replyQueue, body.type, body, messageId);
    await eventually(() => {
      expect(this.replies.some((r) => r.messageId === messageId)).toBe(true);
    });
  }

  repliesTo(command: CommandMessage): ReplyMessage[] {
    return this.replies.filter((r) => r.inReplyTo === command.messageId);
  }

  async queueDepth(queue: string): Promise<number> {
    return (await this.transport.queueStats(queue)).messages;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** The header a booking's demo fault for one step travels in. */
export function stepFaultHeaders(step: string, fault: StepFault): Record<string, string> {
  return stepFaultsHeaders({ labels: stepFaultsLabels({ [step]: fault }) });
}
