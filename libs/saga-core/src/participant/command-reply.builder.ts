import { RetryableStepError } from '../errors/retryable-step.error';
import { TerminalStepError } from '../errors/terminal-step.error';
import {
  CommandMessage,
  OutgoingMessage,
  ReplyError,
  ReplyMessage,
  replyTypeOf,
} from '../transport/message-envelope';

/** How a handler ended, as far as the reply is concerned. */
export type HandlerOutcome = { payload: unknown } | { error: ReplyError };

/**
 * The reply a step error deserves, or null for an error that is not a step's answer (the
 * database is down…): that one must roll the transaction back and retry the message.
 */
export function replyErrorOf(error: unknown): ReplyError | null {
  if (error instanceof TerminalStepError) {
    return { code: error.code, message: error.message, retryable: false };
  }
  if (error instanceof RetryableStepError) {
    return { code: error.code, message: error.message, retryable: true };
  }
  return null;
}

/** The answer to `command`, echoing its correlation fields. */
export function buildReply(
  command: CommandMessage,
  outcome: HandlerOutcome,
  messageId: string,
  sentAt: Date,
): ReplyMessage {
  const reply: ReplyMessage = {
    messageId,
    type: replyTypeOf(command.type),
    inReplyTo: command.messageId,
    sagaId: command.sagaId,
    step: command.step,
    stepIndex: command.stepIndex,
    phase: command.phase,
    attempt: command.attempt,
    outcome: 'error' in outcome ? 'failure' : 'success',
    sentAt: sentAt.toISOString(),
  };
  if ('error' in outcome) reply.error = outcome.error;
  else if (outcome.payload !== undefined) reply.payload = outcome.payload;
  return reply;
}

/** The reply as an outbox message: through the default exchange, to the command's reply queue. */
export function replyToOutgoing(command: CommandMessage, reply: ReplyMessage): OutgoingMessage {
  return {
    messageId: reply.messageId,
    exchange: '',
    routingKey: command.replyTo,
    type: reply.type,
    body: reply,
  };
}
