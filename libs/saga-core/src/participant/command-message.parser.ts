import { DeadLetterReason, PoisonMessageError } from '../errors/poison-message.error';
import { CommandMessage, CommandPhase } from '../transport/message-envelope';

const PHASES: readonly string[] = Object.values(CommandPhase);
const STRING_FIELDS = ['messageId', 'type', 'sagaId', 'step', 'replyTo', 'sentAt'] as const;
const COUNT_FIELDS = ['stepIndex', 'attempt'] as const;

/**
 * Checks a command's envelope. A malformed one, or one whose type this participant does not
 * handle, is poison: retrying cannot help, so it is dead-lettered at once. The payload is the
 * handler's to check.
 */
export function parseCommandMessage(
  body: unknown,
  handledTypes: ReadonlySet<string>,
): CommandMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PoisonMessageError('command is not an object');
  }
  const c = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of STRING_FIELDS) {
    if (typeof c[field] !== 'string' || c[field] === '') problems.push(`${field} must be a string`);
  }
  for (const field of COUNT_FIELDS) {
    const value = c[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      problems.push(`${field} must be a non-negative integer`);
    }
  }
  if (typeof c.phase !== 'string' || !PHASES.includes(c.phase)) {
    problems.push(`phase must be one of ${PHASES.join(', ')}`);
  }
  if (!('payload' in c)) problems.push('payload is missing');
  if (problems.length > 0)
    throw new PoisonMessageError(`malformed command: ${problems.join('; ')}`);
  if (!handledTypes.has(c.type as string)) {
    throw new PoisonMessageError(
      `no handler for command type ${String(c.type)}`,
      DeadLetterReason.UNKNOWN_TYPE,
    );
  }
  return c as unknown as CommandMessage;
}
