import { SetMetadata } from '@nestjs/common';
import { EventMessage } from '../transport/event-message';

/** Reflection key under which `@EventFilter` records which events a handler takes. */
export const EVENT_FILTER_METADATA = 'saga-core:event-filter';

/** Whether a handler has anything to do with one event of its types. */
export type EventFilterFn = (event: EventMessage) => boolean;

/**
 * Marks an `@EventHandler` that takes only some events of its types, as the event itself
 * says (an optional step's neighbour acts only on the events of the sagas that skip it). An
 * event it does not take is acknowledged as `passed` before any transaction: no inbox row,
 * no answer, no round trip to the database. The filter must read the event alone, so that a
 * redelivery gets the same answer; one that throws lets the handler decide.
 */
export function EventFilter(takes: EventFilterFn): MethodDecorator {
  return SetMetadata(EVENT_FILTER_METADATA, takes);
}
