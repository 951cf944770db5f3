import { StepState } from './saga-instance';
import { StepStatus } from './step-status';

/** What a step's compensation looks for: work that took effect, or may have. */
const UNDOABLE: readonly StepStatus[] = [
  StepStatus.COMPLETED,
  StepStatus.TIMED_OUT,
  StepStatus.CANCELLED,
  // Only below the step being undone once an operator asks for a retry.
  StepStatus.COMPENSATION_FAILED,
];

/**
 * Whether a step is undone when the saga compensates: its work took effect or may have. A
 * step whose last attempt failed may still hold the work of an earlier attempt that timed out
 * (`retryOnTimeout`): the participant did it, but its answer never came.
 */
export function needsUndo(step: StepState): boolean {
  return (
    UNDOABLE.includes(step.status) || (step.status === StepStatus.FAILED && step.mayHaveTakenEffect)
  );
}
