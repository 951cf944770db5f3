import { Counter } from 'prom-client';
import { sharedCounter } from '../health/shared-counter';

const EVENTS_METRIC = 'saga_participant_events_total';

/** How the handling of one delivered event ended. */
export type EventOutcome =
  /** Handled and committed, with whatever the handler published (maybe nothing). */
  | 'handled'
  /** Handled, but what it published was dropped (a `drop-reply` fault rule). */
  | 'suppressed'
  /** Its handler failed every try: the failure it announced instead was committed. */
  | 'given-up'
  /** Already handled before (a redelivery): nothing done. */
  | 'duplicate'
  /** Not one its handler takes (`@EventFilter`): acknowledged with no transaction. */
  | 'passed'
  /** Not a valid event, or its handler called it poison: dead-lettered. */
  | 'poison'
  /** The handler or the transaction failed: the event goes back to the queue. */
  | 'error';

export type EventsCounter = Counter<'service' | 'type' | 'outcome'>;

/**
 * The events counter in the process-wide registry that `/metrics` serves. Several apps in one
 * process (end-to-end tests) share it, told apart by the `service` label.
 */
export function participantEventsCounter(): EventsCounter {
  return sharedCounter(
    EVENTS_METRIC,
    'Choreography events delivered to this service, by type and outcome',
    ['service', 'type', 'outcome'],
  );
}
