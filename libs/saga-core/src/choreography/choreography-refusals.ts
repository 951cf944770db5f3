import { SagaInstance } from '../model/saga-instance';
import { StepStatus } from '../model/step-status';
import { ChoreographyAwaited } from './choreography-awaited';
import { TO_UNDO } from './choreography-undo-chain';

/*
 * Whether an observed event may move a choreographed saga. A refused event is recorded as
 * ignored and changes nothing.
 */

/**
 * Why a step's success or failure cannot apply now, or null if it can. Events from
 * different participants may be consumed out of order (concurrent consumers, redelivery):
 * a later step's outcome can arrive before the success of the step it reacted to, so it
 * is accepted while the saga still runs forward.
 */
export function refuseForward(current: SagaInstance, stepIndex: number): string | null {
  const step = current.steps[stepIndex];
  if (current.compensating) {
    // A late outcome: the saga moved on (timed out, or already undoing); the undo chain
    // that runs from the last participant back cancels whatever this event reports.
    return `step ${step.name} is ${step.status}`;
  }
  if (step.status === StepStatus.RUNNING) return null;
  // Any step after the first one out: its outcome may have overtaken theirs.
  const awaited = ChoreographyAwaited.lowest(current);
  if (step.status === StepStatus.PENDING && awaited !== undefined && stepIndex > awaited) {
    return null;
  }
  return `step ${step.name} is ${step.status}`;
}

/**
 * Why a step's undo report cannot apply now, or null if it can. An undo may also come
 * before the failure that caused it has been consumed: it is recorded, and the saga ends
 * once that failure arrives.
 */
export function refuseUndo(
  current: SagaInstance,
  stepIndex: number,
  undone: boolean,
): string | null {
  const step = current.steps[stepIndex];
  if (TO_UNDO.includes(step.status)) return null;
  if (!current.compensating) return 'nothing is being undone';
  if (step.status === StepStatus.PENDING) return null;
  // The undo of a step given up on came after all: the step holds nothing any more.
  if (undone && step.status === StepStatus.COMPENSATION_FAILED) return null;
  // A second undo report, e.g. after a late step was refused and the chain ran again.
  return `step ${step.name} is already ${step.status}`;
}
