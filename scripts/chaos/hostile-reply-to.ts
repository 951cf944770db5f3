import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRIP_PARTICIPANTS, tripParticipantProfiles } from '@app/trip-api';
import { mulberry32 } from '../support/mulberry32';
import { tripSteps } from '../support/trip-steps';
import { queryRows } from '../support/pg-query';
import { vhostConnections, vhostQueueNames } from '../support/rabbitmq-admin';
import { TripDatabaseUrls } from '../support/trip-invariants';
import { ExpectedDeadLetter, readDeadLetters } from './dead-letter-check';

/** Each participant's command queue and the type of its compensation (a valid command). */
const TARGETS = tripSteps().flatMap((step) =>
  step.compensation
    ? [{ queue: step.commandQueue, service: step.name, type: step.compensation }]
    : [],
);

/** The participants' broker connections, by the name each gives it. */
const PARTICIPANTS = tripParticipantProfiles().map((profile) => profile.app);

/**
 * What a hostile `replyTo` names: a queue that exists with other arguments (a dead-letter
 * queue: declaring it as a work queue is refused), a name the broker reserves, or a fresh
 * random name (which a declaration would create, durable, for ever).
 */
export const HOSTILE_REPLY_TO_KINDS = ['existing-other-arguments', 'reserved', 'random'] as const;
export type HostileReplyToKind = (typeof HOSTILE_REPLY_TO_KINDS)[number];

export interface HostileCommand {
  queue: string;
  kind: HostileReplyToKind;
  replyTo: string;
  messageId: string;
  type: string;
  content: Buffer;
}

/** The run's hostile commands, seeded: well-formed compensations with a reply queue no app allows. */
export function planHostileReplyTo(count: number, seed: number): HostileCommand[] {
  const random = mulberry32(seed ^ 0x2e9170);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  return Array.from({ length: count }, (_, i) => {
    const kind = HOSTILE_REPLY_TO_KINDS[i % HOSTILE_REPLY_TO_KINDS.length];
    const target = pick(TARGETS);
    const others = TARGETS.filter((t) => t !== target).map((t) => `${t.queue}.dead-letter`);
    const replyTo =
      kind === 'existing-other-arguments'
        ? pick(['orchestrator.replies.dead-letter', ...others])
        : kind === 'reserved'
          ? pick(['amq.rabbitmq.reply-to', `amq.gen-${randomUUID()}`])
          : `chaos-reply-${randomUUID()}`;
    const messageId = randomUUID();
    const body = {
      messageId,
      type: target.type,
      sagaId: randomUUID(),
      step: target.service,
      stepIndex: 0,
      phase: 'compensation',
      attempt: 1,
      replyTo,
      payload: { bookingId: randomUUID() },
      sentAt: new Date().toISOString(),
    };
    return {
      queue: target.queue,
      kind,
      replyTo,
      messageId,
      type: target.type,
      content: Buffer.from(JSON.stringify(body)),
    };
  });
}

/** Each hostile command must end in its queue's dead letters, as `untrusted-reply-to`. */
export function expectedHostileDeadLetters(hostile: HostileCommand[]): ExpectedDeadLetter[] {
  return hostile.map((h) => ({
    queue: `${h.queue}.dead-letter`,
    messageId: h.messageId,
    reason: 'untrusted-reply-to',
  }));
}

/** Each participant's connection as the broker sees it: a reconnect changes its port. */
export async function participantConnections(vhost: string): Promise<Record<string, number[]>> {
  const connections = await vhostConnections(vhost);
  return Object.fromEntries(
    PARTICIPANTS.map((name) => [
      name,
      connections
        .filter((c) => c.name === name)
        .map((c) => c.peerPort)
        .sort(),
    ]),
  );
}

export interface HostileCheckContext {
  amqpUrl: string;
  vhost: string;
  databases: TripDatabaseUrls;
  /** Taken before the hostile commands were published. */
  connectionsBefore: Record<string, number[]>;
  timeoutMs: number;
}

/**
 * Right after the hostile commands are published, before any disruption: waits (bounded) until
 * every one is dead-lettered and the participants owe no reply, then requires that no
 * participant reconnected meanwhile and that no queue a hostile command named was declared.
 */
export async function checkHostileReplyTo(
  hostile: HostileCommand[],
  context: HostileCheckContext,
): Promise<string[]> {
  if (hostile.length === 0) return [];
  const deadline = Date.now() + context.timeoutMs;
  const queues = [...new Set(hostile.map((h) => `${h.queue}.dead-letter`))];
  const ids = new Set(hostile.map((h) => h.messageId));
  let seen = 0;
  let unsent = 0;
  for (;;) {
    const letters = (
      await Promise.all(queues.map((q) => readDeadLetters(context.amqpUrl, q)))
    ).flat();
    seen = letters.filter((l) => ids.has(l.messageId ?? '')).length;
    unsent = await participantsUnsent(context.databases);
    if ((seen >= hostile.length && unsent === 0) || Date.now() >= deadline) break;
    await sleep(250);
  }
  const found: string[] = [];
  if (seen < hostile.length) {
    found.push(`hostile replyTo: ${seen} of ${hostile.length} commands dead-lettered`);
  }
  if (unsent > 0) found.push(`hostile replyTo: the participants still owe ${unsent} messages`);
  const after = await participantConnections(context.vhost);
  for (const [name, ports] of Object.entries(context.connectionsBefore)) {
    if (JSON.stringify(after[name]) !== JSON.stringify(ports)) {
      found.push(`hostile replyTo: ${name} reconnected (ports ${ports} then ${after[name]})`);
    }
  }
  const existing = new Set(await vhostQueueNames(context.vhost));
  for (const h of hostile) {
    if (h.kind !== 'existing-other-arguments' && existing.has(h.replyTo)) {
      found.push(`hostile replyTo: queue ${h.replyTo} was declared`);
    }
  }
  return found;
}

async function participantsUnsent(databases: TripDatabaseUrls): Promise<number> {
  const counts = await Promise.all(
    TRIP_PARTICIPANTS.map(async (name) => {
      const url = databases[name];
      const [row] = await queryRows<{ n: string }>(
        url,
        `SELECT count(*) AS n FROM saga_outbox WHERE sent_at IS NULL`,
      );
      return Number(row.n);
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
