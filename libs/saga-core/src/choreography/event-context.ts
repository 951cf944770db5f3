import { EntityManager } from 'typeorm';
import { JoinArrival, JoinOutcome } from '../participant/event-join.port';
import { GivingUp } from '../participant/giving-up';
import { EventEndpoint, EventMessage } from '../transport/event-message';

export type { GivingUp };

/** What an `@EventHandler` method gets beside the event. */
export interface EventContext {
  event: EventMessage;
  /** The event's headers, as the transport delivered them; the `x-saga-` ones go on with what it publishes. */
  headers: Readonly<Record<string, unknown>>;
  /** 1 on the first delivery of this event, then 2, 3… while the handler keeps throwing. */
  deliveryCount: number;
  /** The local transaction: inbox row, the handler's writes and published events commit together. */
  manager: EntityManager;
  /**
   * Set when a `@RetryThenGiveUp` handler ran out of tries: it must not do its work, only
   * publish the event that says it failed. Null otherwise.
   */
  givingUp: GivingUp | null;
  /** Publishes an event of the same saga (same correlation id), through the outbox. */
  publish<P>(endpoint: EventEndpoint<P>, payload: P): void;
  /**
   * Fault injection: throws the error a runtime `fail` rule (a `RetryableStepError`) or
   * `refuse` rule (a `TerminalStepError`) asks for, and does nothing otherwise. A handler that
   * models a step calls it just before its work, so the injected error takes the path a real
   * one would; if the handler never calls it, the delivery fails and the event comes again.
   */
  raiseInjectedFault(): void;
  /** Counts the event towards a join, in the local transaction (see `InboxTransaction.join`). */
  join(arrival: JoinArrival): Promise<JoinOutcome>;
}
