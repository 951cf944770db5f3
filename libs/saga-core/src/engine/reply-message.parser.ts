import { PoisonMessageError } from '../errors/poison-message.error';
import { CommandPhase, ReplyMessage } from '../transport/message-envelope';

const PHASES: readonly string[] = Object.values(CommandPhase);

/** Checks a reply's envelope; anything malformed is poison (dead-lettered, never retried). */
export function parseReplyMessage(body: unknown): ReplyMessage {
  if (typeof body !== 'object' || body === null)
    throw new PoisonMessageError('reply is not an object');
  const r = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['messageId', 'type', 'inReplyTo', 'sagaId', 'step']) {
    if (typeof r[field] !== 'string' || r[field] === '') problems.push(`${field} must be a string`);
  }
  for (const field of ['stepIndex', 'attempt']) {
    if (!Number.isInteger(r[field]) || (r[field] as number) < 0)
      problems.push(`${field} must be an integer`);
  }
  if (!PHASES.includes(r.phase as string))
    problems.push(`phase must be one of ${PHASES.join(', ')}`);
  if (r.outcome !== 'success' && r.outcome !== 'failure')
    problems.push('outcome must be success or failure');
  if (r.outcome === 'failure') {
    const e = r.error as Record<string, unknown> | undefined;
    if (
      !e ||
      typeof e.code !== 'string' ||
      typeof e.message !== 'string' ||
      typeof e.retryable !== 'boolean'
    ) {
      problems.push('a failure needs error { code, message, retryable }');
    }
  }
  if (problems.length > 0) throw new PoisonMessageError(`malformed reply: ${problems.join('; ')}`);
  return r as unknown as ReplyMessage;
}
