import { DeadLetterReason, PoisonMessageError } from '../errors/poison-message.error';

/** The characters a reply queue's name may use; AMQP allows more, no app here needs them. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._:-]{0,254}$/;
/** Server-named and exclusive queues (`amq.gen-…`), and the broker's own pseudo-queues. */
const RESERVED_PREFIX = 'amq.';
const DEAD_LETTER_SUFFIX = '.dead-letter';

/**
 * The queues a participant may answer on. A command's `replyTo` comes from the message, so it
 * is not trusted: a name that is not allowed here makes the command poison, dead-lettered with
 * the reason `untrusted-reply-to`, and no reply is ever written for it. An entry is an exact
 * queue name, or a prefix followed by `*` (`orchestrator.replies.*`: any name that starts so).
 * Reserved `amq.*` names and dead-letter queues are never allowed, whatever the entries say.
 */
export class ReplyQueuePolicy {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(entries: readonly string[]) {
    const problems = replyQueueProblems(entries);
    if (problems.length > 0) throw new Error(`invalid reply queues: ${problems.join('; ')}`);
    for (const entry of entries) {
      if (entry.endsWith('*')) this.prefixes.push(entry.slice(0, -1));
      else this.exact.add(entry);
    }
  }

  /** The exact names: the app declares them at start, so a reply never waits for a queue. */
  get queues(): string[] {
    return [...this.exact];
  }

  allows(name: string): boolean {
    if (!isUsableName(name)) return false;
    return this.exact.has(name) || this.prefixes.some((p) => name.startsWith(p) && name !== p);
  }

  /** Throws the poison error that dead-letters a command with a `replyTo` not allowed here. */
  check(replyTo: string): void {
    if (this.allows(replyTo)) return;
    throw new PoisonMessageError(
      `replyTo ${JSON.stringify(replyTo.slice(0, 300))} is not a reply queue this participant ` +
        `answers on`,
      DeadLetterReason.UNTRUSTED_REPLY_TO,
    );
  }
}

/** What is wrong with a list of reply-queue entries; empty when it is valid. */
export function replyQueueProblems(entries: readonly string[]): string[] {
  if (entries.length === 0) return ['at least one reply queue is needed'];
  return entries.flatMap((entry) => {
    const name = entry.endsWith('*') ? entry.slice(0, -1) : entry;
    if (!isUsableName(name)) {
      return [
        `${JSON.stringify(entry)} must be a queue name (letters, digits, . _ : -), or one ` +
          `followed by *, not amq.* nor a dead-letter queue`,
      ];
    }
    return [];
  });
}

/** Splits the comma-separated form of the configuration (`SAGA_REPLY_QUEUES`). */
export function parseReplyQueues(list: string): string[] {
  return list.split(',').map((entry) => entry.trim());
}

function isUsableName(name: string): boolean {
  return NAME.test(name) && !name.startsWith(RESERVED_PREFIX) && !name.endsWith(DEAD_LETTER_SUFFIX);
}
