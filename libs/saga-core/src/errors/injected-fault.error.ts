import { SagaError } from './saga-error';

/**
 * Thrown in place of a handler by a runtime `throw` fault rule: like any unexpected error, it
 * rolls the delivery back and the message comes again (dead-lettered past the delivery limit).
 */
export class InjectedFaultError extends SagaError {
  readonly code = 'INJECTED_FAULT';
}
