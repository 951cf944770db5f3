import { AuditType } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { SagaTransition } from '../model/saga-transition';
import { auditLine, beginTransition } from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { EventMessage } from '../transport/event-message';
import { ChoreographyDefinition } from './choreography-definition';
import { eventDetail } from './choreography-messages';

/**
 * Whether a success is that of a step of a parallel group still out when another step
 * failed (only a group's steps run while the saga compensates). It took effect, and its
 * participant undoes it on that failure: the undo the tracker waits for stays awaited.
 */
export function isSuccessBesideRefusal(saga: SagaInstance, stepIndex: number): boolean {
  return saga.compensating && saga.steps[stepIndex].status === StepStatus.RUNNING;
}

/** Records such a success, so that the saga shows what it holds until the undo comes. */
export function successBesideRefusal<Data>(
  current: SagaInstance<Data>,
  stepIndex: number,
  event: EventMessage,
  definition: ChoreographyDefinition<Data>,
  now: Date,
): SagaTransition<Data> {
  const t = beginTransition(current, now);
  const step = t.instance.steps[stepIndex];
  t.audit.push(auditLine(t, AuditType.EVENT_RECEIVED, step.name, eventDetail(event)));
  step.status = StepStatus.COMPENSATING;
  step.endedAt = t.instance.updatedAt;
  t.instance.data = definition.handlers.onSucceeded(stepIndex, t.instance.data, event.payload);
  t.audit.push(auditLine(t, AuditType.STEP_COMPLETED, step.name, { whileCompensating: true }));
  return t;
}
