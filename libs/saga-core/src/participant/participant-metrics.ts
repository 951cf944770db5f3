import { Counter } from 'prom-client';
import { sharedCounter } from '../health/shared-counter';

const COMMANDS_METRIC = 'saga_participant_commands_total';

/** How the handling of one delivered command ended. */
export type CommandOutcome =
  /** Handled; a success reply was enqueued. */
  | 'success'
  /** Refused by the handler; a failure reply was enqueued. */
  | 'failure'
  /** Handled, but the handler suppressed its reply (fault injection). */
  | 'suppressed'
  /** Its handler failed every try of its retry policy: the failure it announced was committed. */
  | 'given-up'
  /** Already handled before (a redelivery): nothing done. */
  | 'duplicate'
  /** Not a valid command: dead-lettered. */
  | 'poison'
  /** The transaction failed (database down…): the message goes back to the queue. */
  | 'error';

export type CommandsCounter = Counter<'service' | 'type' | 'outcome'>;

/**
 * The commands counter in the process-wide registry that `/metrics` serves. Several apps in
 * one process (end-to-end tests) share it, told apart by the `service` label.
 */
export function participantCommandsCounter(): CommandsCounter {
  return sharedCounter(
    COMMANDS_METRIC,
    'Commands delivered to this participant, by type and outcome',
    ['service', 'type', 'outcome'],
  );
}
