import { EntityManager } from 'typeorm';
import { EventEndpoint, EventMessage } from './event-message';

/** What an `@EventHandler` method gets beside the event. */
export interface EventContext {
  event: EventMessage;
  /** 1 on the first delivery of this event, then 2, 3… while the handler keeps throwing. */
  deliveryCount: number;
  /** The local transaction: inbox row, the handler's writes and published events commit together. */
  manager: EntityManager;
  /** Publishes an event of the same saga (same correlation id), through the outbox. */
  publish<P>(endpoint: EventEndpoint<P>, payload: P): void;
}
