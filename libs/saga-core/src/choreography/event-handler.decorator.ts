import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { EventEndpoint } from '../transport/event-message';
import { SAGA_FAILURE_INTERCEPTOR } from '../participant/saga-failure.interceptor';

/** Reflection key under which `@EventHandler` records the events a method reacts to. */
export const EVENT_HANDLER_METADATA = 'saga-core:event-handler';

/** What `@EventHandler` records: the exchange and the event types. */
export interface EventHandlerMetadata {
  exchange: string;
  types: string[];
}

/**
 * Marks a provider method as the reaction to one or more event types. The method is called
 * as `(event: EventMessage, ctx: EventContext)` in the app's local transaction, together with
 * the inbox row and whatever it publishes; throwing rolls all of it back and the event is
 * delivered again (past the queue's delivery limit, it is dead-lettered). It is also the
 * method's `@EventPattern(types)`: on a controller, it runs through Nest's pipeline (a
 * provider's method is called as it is).
 */
export function EventHandler(...endpoints: EventEndpoint<unknown>[]): MethodDecorator {
  const exchanges = new Set(endpoints.map((e) => e.exchange));
  if (endpoints.length === 0 || exchanges.size !== 1) {
    throw new Error('@EventHandler takes one or more event types of a single exchange');
  }
  const metadata: EventHandlerMetadata = {
    exchange: endpoints[0].exchange,
    types: endpoints.map((e) => e.type),
  };
  return applyDecorators(
    SetMetadata(EVENT_HANDLER_METADATA, metadata),
    EventPattern(metadata.types),
    UseInterceptors(SAGA_FAILURE_INTERCEPTOR),
  );
}
