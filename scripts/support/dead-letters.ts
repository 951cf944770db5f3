import { connect, type GetMessage } from 'amqplib';

/** A message as it sits in a dead-letter queue: its headers say why it is there. */
export interface DeadLetter {
  queue: string;
  messageId: string | undefined;
  type: string | undefined;
  headers: Record<string, unknown>;
  content: string;
}

/**
 * Reads every message of `queue` without taking it: each is fetched unacked, and closing the
 * connection hands them all back to the queue.
 */
export async function readDeadLetters(url: string, queue: string): Promise<DeadLetter[]> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    const letters: DeadLetter[] = [];
    for (;;) {
      const got: GetMessage | false = await channel.get(queue, { noAck: false });
      if (got === false) return letters;
      letters.push({
        queue,
        messageId: got.properties.messageId as string | undefined,
        type: got.properties.type as string | undefined,
        headers: { ...(got.properties.headers ?? {}) },
        content: got.content.toString('utf8'),
      });
    }
  } finally {
    await connection.close();
  }
}
