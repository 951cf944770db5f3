import { AuditType } from '../model/audit-entry';
import { parallelGroupOf } from '../definition/saga-spec';
import { SagaTransition } from '../model/saga-transition';
import { auditLine } from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { ChoreographyAwaited } from './choreography-awaited';
import { ChoreographyDefinition } from './choreography-definition';
import { EventMessage } from '../transport/event-message';

/**
 * Each step of a choreography reacts to the previous step's success, and each event
 * carries the saga's data forward: an outcome of step `stepIndex` proves that the steps
 * before it succeeded, even if their own events are still on the way; those of its own
 * parallel group excepted, which run beside it and prove nothing of each other.
 */
export function inferEarlierSuccesses<Data>(
  t: SagaTransition<Data>,
  stepIndex: number,
  event: EventMessage,
  { spec, handlers }: ChoreographyDefinition<Data>,
): void {
  const steps = t.instance.steps;
  const { first } = parallelGroupOf(spec.steps, stepIndex);
  for (let i = ChoreographyAwaited.lowest(t.instance) ?? stepIndex; i < first; i++) {
    if (steps[i].status !== StepStatus.RUNNING && steps[i].status !== StepStatus.PENDING) {
      continue;
    }
    steps[i].status = StepStatus.COMPLETED;
    steps[i].startedAt ??= t.instance.updatedAt;
    steps[i].endedAt = t.instance.updatedAt;
    t.instance.data = handlers.onSucceeded(i, t.instance.data, event.payload);
    t.audit.push(
      auditLine(t, AuditType.STEP_COMPLETED, steps[i].name, { inferredFrom: event.type }),
    );
  }
  const step = steps[stepIndex];
  if (step.status === StepStatus.PENDING) {
    step.status = StepStatus.RUNNING;
    step.attempts = 1;
    step.startedAt = t.instance.updatedAt;
  }
}
