import { SagaError } from '../errors/saga-error';

/**
 * The broker could not route a message (no such queue, no queue bound for an event, no such
 * exchange), or the transport refused a destination it must never publish to. The message is
 * not lost: its outbox row stays unsent and is retried, then parked.
 */
export class UnroutableMessageError extends SagaError {
  readonly code = 'UNROUTABLE_MESSAGE';
}
