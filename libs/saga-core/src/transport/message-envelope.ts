/**
 * What travels on the wire. Every message body is one of these JSON envelopes; the AMQP
 * `messageId` and `type` properties repeat `messageId` and `type` so a broker UI can show them.
 */

/** Whether a command moves a step forward or undoes it. */
export const CommandPhase = {
  /** The step's own action (reserve, charge). */
  FORWARD: 'forward',
  /** The step's compensation (cancel, refund). */
  COMPENSATION: 'compensation',
} as const;
export type CommandPhase = (typeof CommandPhase)[keyof typeof CommandPhase];

/** A command sent by the orchestrator to a participant. */
export interface CommandMessage<P = unknown> {
  messageId: string;
  type: string;
  sagaId: string;
  step: string;
  stepIndex: number;
  phase: CommandPhase;
  attempt: number;
  /** Durable queue the participant answers on (never a direct reply-to). */
  replyTo: string;
  payload: P;
  sentAt: string;
}

/** An error carried in a failure reply: a stable code, never a class name. */
export interface ReplyError {
  code: string;
  message: string;
  /** True when trying again may succeed (infrastructure); false for a business refusal. */
  retryable: boolean;
}

/** A participant's answer to a command, echoing the command's correlation fields. */
export interface ReplyMessage<P = unknown> {
  messageId: string;
  type: string;
  inReplyTo: string;
  sagaId: string;
  step: string;
  stepIndex: number;
  phase: CommandPhase;
  attempt: number;
  outcome: 'success' | 'failure';
  payload?: P;
  error?: ReplyError;
  sentAt: string;
}

/** A message to be published: written to the outbox first, then handed to the transport. */
export interface OutgoingMessage {
  messageId: string;
  /** Exchange to publish to; '' is the default exchange, which routes by queue name. */
  exchange: string;
  routingKey: string;
  type: string;
  body: object;
  headers?: Record<string, string | number>;
}

/** A message as a consumer sees it, after the transport parsed its JSON body. */
export interface IncomingMessage {
  messageId: string;
  type: string;
  body: unknown;
  headers: Record<string, unknown>;
  /** 1 on the first delivery; grows with each redelivery when the broker reports it. */
  deliveryCount: number;
  redelivered: boolean;
}

/** The name of a command's reply type. */
export function replyTypeOf(commandType: string): string {
  return `${commandType}.reply`;
}
