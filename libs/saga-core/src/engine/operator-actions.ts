import { SagaInstance } from '../model/saga-instance';
import { RegisteredMachine } from './saga-machine-factories';

const PROBE = { operator: 'probe', reason: 'is this action allowed' };

/**
 * What an operator may do to the saga now, asked of its state machine itself: a decision has
 * no I/O, so deciding the action and throwing the transition away tells exactly what the
 * engine would accept, for either coordination style.
 */
export function allowedOperatorActions(
  machine: RegisteredMachine,
  saga: SagaInstance,
): { cancel: boolean; retryCompensation: boolean } {
  return {
    cancel: machine.cancel(saga, PROBE) !== null,
    retryCompensation: machine.retryCompensation(saga, PROBE) !== null,
  };
}
