/**
 * A participant's command, declared once as a typed constant (FTGO's `KitchenServiceProxy`):
 * the queue it is sent to, its type name, and the request and reply shapes it carries.
 */
export interface CommandEndpoint<Request, Reply = void> {
  /** The durable queue the participant consumes, e.g. `flight.commands`. */
  readonly channel: string;
  /** The command's type, e.g. `flight.reserve`. */
  readonly type: string;
  /** Phantom fields: they carry the types, never a value. */
  readonly __request?: Request;
  readonly __reply?: Reply;
}

export function commandEndpoint<Request, Reply = void>(
  channel: string,
  type: string,
): CommandEndpoint<Request, Reply> {
  return Object.freeze({ channel, type });
}
