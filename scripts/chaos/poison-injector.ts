import { randomUUID } from 'node:crypto';
import { ChannelModel, ConfirmChannel, connect } from 'amqplib';
import { tripParticipantProfiles } from '@app/trip-api';
import { mulberry32 } from '../support/mulberry32';

/** The work queues of the trip apps that a poison message may land on. */
const COMMAND_QUEUES = tripParticipantProfiles().map((profile) => profile.commandQueue);
const REPLY_QUEUE = 'orchestrator.replies';

/** What each consumer must dead-letter at once, without a handler ever running. */
export const POISON_KINDS = ['unreadable', 'unknown-type', 'invalid'] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

export interface PoisonMessage {
  queue: string;
  kind: PoisonKind;
  content: Buffer;
  /** The `type` property, as a sender would set it. */
  type: string;
}

/**
 * The run's poison messages, seeded: each one a kind on a queue that the kind makes sense for
 * (a reply has no handler to be unknown to, so replies only get the unreadable kind).
 */
export function planPoison(count: number, seed: number): PoisonMessage[] {
  const random = mulberry32(seed ^ 0x5eed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  return Array.from({ length: count }, (_, i) => {
    const kind = POISON_KINDS[i % POISON_KINDS.length];
    const queue = kind === 'unreadable' && random() < 0.25 ? REPLY_QUEUE : pick(COMMAND_QUEUES);
    return poison(queue, kind);
  });
}

function poison(queue: string, kind: PoisonKind): PoisonMessage {
  const service = queue.split('.')[0];
  if (kind === 'unreadable') {
    return { queue, kind, type: 'chaos.poison', content: Buffer.from('{not json') };
  }
  const sagaId = randomUUID();
  const body =
    kind === 'unknown-type'
      ? { ...commandEnvelope(sagaId, `${service}.explode`), payload: { bookingId: sagaId } }
      : // A command of a handled type with its envelope fields missing.
        { messageId: randomUUID(), type: `${service}.cancel`, payload: 'nothing' };
  return { queue, kind, type: body.type, content: Buffer.from(JSON.stringify(body)) };
}

function commandEnvelope(sagaId: string, type: string) {
  return {
    messageId: randomUUID(),
    type,
    sagaId,
    step: 'chaos',
    stepIndex: 0,
    phase: 'forward',
    attempt: 1,
    replyTo: REPLY_QUEUE,
    sentAt: new Date().toISOString(),
  };
}

/**
 * Publishes poison straight to the broker (not through the apps' proxies), persistent and
 * confirmed, so each one is known to be on its queue: the dead-letter queues must end up
 * holding exactly these.
 */
export class PoisonInjector {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async open(amqpUrl: string): Promise<PoisonInjector> {
    const connection = await connect(amqpUrl);
    const channel = await connection.createConfirmChannel();
    return new PoisonInjector(connection, channel);
  }

  /** Resolves with the message id it was published under, once the broker confirmed it. */
  async inject(
    message: Pick<PoisonMessage, 'queue' | 'content' | 'type'> & { messageId?: string },
  ): Promise<string> {
    const messageId = message.messageId ?? randomUUID();
    this.channel.sendToQueue(message.queue, message.content, {
      persistent: true,
      messageId,
      type: message.type,
      contentType: 'application/json',
    });
    await this.channel.waitForConfirms();
    return messageId;
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
