/**
 * An event of a choreographed saga, as it travels on a topic exchange: the routing key is its
 * `type`, and `correlationId` names the saga (the booking) it belongs to.
 */
export interface EventMessage<P = unknown> {
  messageId: string;
  type: string;
  correlationId: string;
  /** The service that published it, e.g. `flight-service`. */
  source: string;
  payload: P;
  occurredAt: string;
}

/** An event type, declared once as a typed constant: its exchange, its name, its payload. */
export interface EventEndpoint<Payload> {
  readonly exchange: string;
  readonly type: string;
  /** Phantom field: it carries the type, never a value. */
  readonly __payload?: Payload;
}

export function eventEndpoint<Payload>(exchange: string, type: string): EventEndpoint<Payload> {
  return Object.freeze({ exchange, type });
}
