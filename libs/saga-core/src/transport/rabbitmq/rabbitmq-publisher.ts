import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { UnroutableMessageError } from '../unroutable-message.error';

export interface PublisherOptions {
  publishTimeoutMs: number;
  /** Runs on every new channel, before any queued publish goes out (declarations). */
  setup(channel: ConfirmChannel): Promise<void>;
  /** The channel failed while the connection is up: only a reconnect brings it back. */
  onChannelError(error: unknown): void;
  /** The channel's setup failed. */
  onSetupError(error: unknown): void;
}

/** Publish properties with the id by which a return is matched to its publish. */
export type PublishProperties = Options.Publish & { messageId: string };

/**
 * The confirm channel that publishes, and nothing else. Every publish is `mandatory` and waits
 * for its confirm: a message the broker cannot route is returned (before its confirm) and the
 * publish rejects, so nothing is confirmed that no queue holds.
 */
export class RabbitMqPublisher {
  /** Message ids the broker returned as unroutable; their confirm follows the return. */
  private readonly returned = new Map<string, number>();
  private readonly channel: ChannelWrapper;

  constructor(manager: AmqpConnectionManager, options: PublisherOptions) {
    this.channel = manager.createChannel({
      name: 'publish',
      confirm: true,
      publishTimeout: options.publishTimeoutMs,
      setup: async (channel: ConfirmChannel) => {
        channel.on('error', (error: unknown) => options.onChannelError(error));
        channel.on('return', (returned: Message) => this.onReturn(returned));
        await options.setup(channel);
      },
    });
    this.channel.on('error', (error: unknown) => options.onSetupError(error));
  }

  waitForConnect(): Promise<void> {
    return this.channel.waitForConnect();
  }

  /** Resolves once confirmed; rejects with `UnroutableMessageError` if the broker returned it. */
  async publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: PublishProperties,
    what: string,
  ): Promise<void> {
    try {
      await this.channel.publish(exchange, routingKey, content, { ...properties, mandatory: true });
    } catch (error) {
      this.takeReturned(properties.messageId);
      throw error;
    }
    if (this.takeReturned(properties.messageId)) {
      const route =
        exchange === ''
          ? `no queue ${routingKey}`
          : `no queue bound to ${exchange} for ${routingKey}`;
      throw new UnroutableMessageError(`RabbitMQ returned ${what}: ${route}`);
    }
  }

  private onReturn(returned: Message): void {
    const id: unknown = returned.properties.messageId;
    if (typeof id === 'string') this.returned.set(id, (this.returned.get(id) ?? 0) + 1);
  }

  private takeReturned(messageId: string): boolean {
    const count = this.returned.get(messageId);
    if (!count) return false;
    if (count === 1) this.returned.delete(messageId);
    else this.returned.set(messageId, count - 1);
    return true;
  }
}
