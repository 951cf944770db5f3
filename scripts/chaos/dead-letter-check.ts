import { DeadLetter, readDeadLetters } from '../support/dead-letters';

export { readDeadLetters };

/** A message the run put in on purpose, and the dead-letter queue and reason it must end with. */
export interface ExpectedDeadLetter {
  queue: string;
  messageId: string;
  reason: string;
}

/** As the engine documents it (docs/reliability.md); the run looks at the apps from outside. */
const REASON_HEADER = 'x-saga-dead-letter-reason';

/** The reason a dead letter carries: the consumer's header, or the broker's own `x-death`. */
export function reasonOf(letter: DeadLetter): string {
  const reason = letter.headers[REASON_HEADER];
  if (typeof reason === 'string') return reason;
  const death = letter.headers['x-death'];
  const first = Array.isArray(death) ? (death[0] as { reason?: unknown } | undefined) : undefined;
  return typeof first?.reason === 'string' ? `x-death:${first.reason}` : 'none';
}

/**
 * Reads every dead-letter queue that holds anything and requires exactly the expected
 * messages there, each once, in its queue, with its reason: a missing one was lost or is still
 * cycling, an extra one is a good message given up on (or a poison one copied twice).
 */
export async function deadLetterViolations(
  amqpUrl: string,
  queues: readonly string[],
  expected: readonly ExpectedDeadLetter[],
  /** Dead letters the run allows beside the expected ones (their count is checked elsewhere). */
  allowed: (letter: DeadLetter) => boolean = () => false,
): Promise<string[]> {
  const letters = (await Promise.all(queues.map((q) => readDeadLetters(amqpUrl, q)))).flat();
  const found: string[] = [];
  for (const want of expected) {
    const matches = letters.filter((l) => l.messageId === want.messageId);
    const described = matches.map((l) => `${l.queue} (${reasonOf(l)})`).join(', ');
    if (
      matches.length !== 1 ||
      matches[0].queue !== want.queue ||
      reasonOf(matches[0]) !== want.reason
    ) {
      found.push(
        `dead letter ${want.messageId}: expected once in ${want.queue} as ${want.reason}, ` +
          `found ${described || 'nowhere'}`,
      );
    }
  }
  const wanted = new Set(expected.map((e) => e.messageId));
  for (const letter of letters.filter((l) => !wanted.has(l.messageId ?? '') && !allowed(l))) {
    found.push(
      `unexpected dead letter ${letter.type ?? '?'} ${letter.messageId ?? '?'} in ` +
        `${letter.queue} (${reasonOf(letter)})`,
    );
  }
  return found;
}
