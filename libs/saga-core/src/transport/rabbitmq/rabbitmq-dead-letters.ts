import { Logger } from '@nestjs/common';
import { QueueNotFoundError } from '../../errors/queue-not-found.error';
import { ChannelModel, ConfirmChannel, connect, GetMessage } from 'amqplib';
import {
  DeadLetter,
  DeadLetterQueueState,
  DeadLetters,
  MoveBackOptions,
} from '../dead-letters.port';
import { deadLetterQueueOf } from '../message-transport';
import { movedBackHeaders, readDeadLetter } from './dead-letter-message';
import { describeError, redactUrl } from './rabbitmq-connection';

/**
 * The dead-letter queues over plain AMQP, so no management plugin is needed. A connection of
 * its own, opened on first use and again after it is lost: an operator's occasional reads
 * never share a channel with the engine's traffic.
 *
 * Looking at messages takes them unacknowledged and closes the channel, which hands them back
 * in place; a quorum queue counts that as a delivery, so a dead-letter queue must have no
 * delivery limit of its own. Moving one publishes its copy to the work queue on a confirm
 * channel and acks it in the dead-letter queue only once the broker confirmed the copy.
 */
export class RabbitMqDeadLetters implements DeadLetters {
  private readonly logger = new Logger(RabbitMqDeadLetters.name);
  private connection: Promise<ChannelModel> | null = null;

  constructor(private readonly url: string) {}

  async inspect(queue: string, peek: number): Promise<DeadLetterQueueState> {
    const deadLetterQueue = deadLetterQueueOf(queue);
    const state: DeadLetterQueueState = {
      queue,
      deadLetterQueue,
      depth: null,
      reasons: {},
      messages: [],
    };
    const channel = await (await this.connect()).createChannel();
    // Asking for a missing queue closes the channel: that is an answer, not a failure.
    channel.on('error', () => undefined);
    try {
      const { messageCount } = await channel.checkQueue(deadLetterQueue);
      state.depth = messageCount;
      for (let i = 0; i < Math.min(peek, messageCount); i++) {
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message) break;
        const letter = readDeadLetter(message, queue);
        state.messages.push(letter);
        state.reasons[letter.reason] = (state.reasons[letter.reason] ?? 0) + 1;
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    } finally {
      await channel.close().catch(() => undefined);
    }
    return state;
  }

  async moveBack(queue: string, options: MoveBackOptions): Promise<DeadLetter[]> {
    const deadLetterQueue = deadLetterQueueOf(queue);
    const wanted = options.messageIds ? new Set(options.messageIds) : null;
    const channel = await (await this.connect()).createConfirmChannel();
    let returned = false;
    channel.on('return', () => (returned = true));
    channel.on('error', (error: unknown) =>
      this.logger.warn(`dead-letter channel failed: ${describeError(error)}`),
    );
    const moved: DeadLetter[] = [];
    const kept: GetMessage[] = [];
    try {
      // Both must exist: the default exchange silently drops a message for a missing queue.
      for (const name of [queue, deadLetterQueue]) {
        await channel.checkQueue(name).catch((error: unknown) => {
          throw isNotFound(error) ? new QueueNotFoundError(`no queue ${name}`) : error;
        });
      }
      for (let i = 0; i < options.limit; i++) {
        if (wanted && moved.length === wanted.size) break;
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message) break;
        if (wanted && !wanted.has(String(message.properties.messageId))) {
          kept.push(message);
          continue;
        }
        returned = false;
        await publishConfirmed(channel, queue, message, options.movedBy);
        if (returned) {
          channel.nack(message, false, true);
          throw new Error(`the broker could not route the message to ${queue}`);
        }
        channel.ack(message);
        moved.push(readDeadLetter(message, queue));
      }
      for (const message of kept) channel.nack(message, false, true);
      return moved;
    } finally {
      // Anything still unacknowledged (a failure midway) goes back to the dead-letter queue.
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    await connection?.then((c) => c.close()).catch(() => undefined);
  }

  private connect(): Promise<ChannelModel> {
    this.connection ??= connect(this.url, { clientProperties: { connection_name: 'dead-letters' } })
      .then((connection) => {
        const forget = () => {
          if (this.connection === current) this.connection = null;
        };
        connection.on('error', forget);
        connection.on('close', forget);
        return connection;
      })
      .catch((error: unknown) => {
        this.connection = null;
        throw new Error(`Cannot reach RabbitMQ at ${redactUrl(this.url)}: ${describeError(error)}`);
      });
    const current = this.connection;
    return current;
  }
}

function publishConfirmed(
  channel: ConfirmChannel,
  queue: string,
  message: GetMessage,
  movedBy: string,
): Promise<void> {
  const p = message.properties;
  return new Promise((resolve, reject) => {
    channel.publish(
      '',
      queue,
      message.content,
      {
        persistent: true,
        mandatory: true,
        contentType: p.contentType,
        contentEncoding: p.contentEncoding,
        messageId: p.messageId,
        type: p.type,
        correlationId: p.correlationId,
        timestamp: p.timestamp,
        appId: p.appId,
        headers: movedBackHeaders(message, movedBy),
      },
      (error: unknown) => (error ? reject(error) : resolve()),
    );
  });
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 404;
}
