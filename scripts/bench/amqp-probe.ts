import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { percentile } from '../support/latency-stats';

export interface AmqpProbeResult {
  /** Persistent messages per second on one quorum queue, each confirmed by the broker. */
  confirmedPerSecond: number;
  /** One request→reply over two quorum queues, persistent both ways, with noDelay. */
  roundTripP50Ms: number;
  roundTripP99Ms: number;
}

const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

/**
 * The broker's own limits on this machine, now: a confirmed publish rate with a window of
 * messages in flight, then request→reply round trips one after the other (what a saga step
 * costs at the least). The probe's queues are deleted afterwards.
 */
export async function amqpProbe(
  url: string,
  seconds = 3,
  roundTrips = 300,
): Promise<AmqpProbeResult> {
  const connection = await amqp.connect(url, { noDelay: true });
  const suffix = randomBytes(4).toString('hex');
  const [requests, replies, flood] = ['req', 'rep', 'flood'].map(
    (q) => `bench.probe.${q}.${suffix}`,
  );
  try {
    const channel = await connection.createConfirmChannel();
    for (const q of [requests, replies, flood]) await channel.assertQueue(q, QUORUM);
    const confirmedPerSecond = await publishRate(channel, flood, seconds);

    const responder = await connection.createConfirmChannel();
    await responder.consume(requests, (message) => {
      if (!message) return;
      responder.sendToQueue(replies, message.content, { persistent: true });
      responder.ack(message);
    });
    const times: number[] = [];
    let answer: (() => void) | undefined;
    await channel.consume(
      replies,
      (message) => {
        if (message) answer?.();
      },
      { noAck: true },
    );
    const body = Buffer.from('{"probe":true}');
    for (let i = 0; i < roundTrips; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        answer = resolve;
        channel.sendToQueue(requests, body, { persistent: true });
      });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    for (const q of [requests, replies, flood]) await channel.deleteQueue(q);
    return {
      confirmedPerSecond,
      roundTripP50Ms: percentile(times, 50) ?? 0,
      roundTripP99Ms: percentile(times, 99) ?? 0,
    };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function publishRate(channel: amqp.ConfirmChannel, queue: string, seconds: number) {
  const body = Buffer.alloc(300, 'x');
  const window = 256;
  let confirmed = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await new Promise<void>((resolve, reject) =>
        channel.sendToQueue(queue, body, { persistent: true }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
      confirmed++;
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return confirmed / ((performance.now() - t0) / 1000);
}
