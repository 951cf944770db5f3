import { AuditEntry, AuditType } from '../engine/audit-entry';
import { SagaInstance, SagaTimer } from '../engine/saga-instance';
import {
  IgnoredEvent,
  OperatorRequest,
  SagaStartInput,
  StateMachineEnvironment,
  timerKey,
} from '../engine/saga-state-machine';
import { SagaStatus } from '../engine/saga-status';
import { SagaTransition } from '../engine/saga-transition';
import {
  auditLine,
  beginTransition,
  emptyStep,
  finishCompensation,
} from '../engine/saga-transition.helpers';
import { StepStatus } from '../engine/step-status';
import { CommandPhase } from '../transport/message-envelope';
import { ChoreographyDefinition } from './choreography-definition';
import { ChoreographySpec, ChoreographyStepSpec, EventRef } from './choreography-spec';
import { EventMessage } from './event-message';

type Outcome = 'succeeded' | 'failed' | 'compensated' | 'compensationFailed';

/** Steps whose work took effect, or may have, and is not undone yet. */
const TO_UNDO: readonly StepStatus[] = [
  StepStatus.RUNNING,
  StepStatus.CANCELLED,
  StepStatus.COMPLETED,
  StepStatus.TIMED_OUT,
  StepStatus.COMPENSATING,
];

/**
 * Follows a choreographed saga from the events it observes, with no I/O: the participants
 * decide everything among themselves; this tracker only projects their events into the same
 * saga state, steps and audit log as an orchestrated saga, and acts in one case only: when
 * the next event does not come in time, it publishes the cancel event (a choreography has no
 * central timer of its own).
 */
export class ChoreographyStateMachine<Data> {
  private readonly byType = new Map<string, { stepIndex: number; outcome: Outcome }>();

  constructor(
    private readonly definition: ChoreographyDefinition<Data>,
    private readonly env: StateMachineEnvironment & { source: string },
  ) {
    definition.spec.steps.forEach((step, stepIndex) => {
      for (const outcome of ['succeeded', 'failed', 'compensated', 'compensationFailed'] as const) {
        this.byType.set(step[outcome].type, { stepIndex, outcome });
      }
    });
  }

  get spec(): ChoreographySpec {
    return this.definition.spec;
  }

  start(input: SagaStartInput<Data>): SagaTransition<Data> {
    const now = this.env.now();
    const { spec } = this.definition;
    const instance: SagaInstance<Data> = {
      id: input.sagaId,
      definitionName: spec.name,
      definitionVersion: spec.version,
      status: SagaStatus.PENDING,
      compensating: false,
      data: input.data,
      steps: spec.steps.map((s) => emptyStep(s.name)),
      awaiting: null,
      failureReason: null,
      labels: input.labels ?? {},
      startKey: input.startKey ?? null,
      startFingerprint: input.startFingerprint ?? null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const t: SagaTransition<Data> = { instance, audit: [], messages: [], timer: undefined };
    t.audit.push(
      auditLine(t, AuditType.SAGA_STARTED, null, {
        definition: `${spec.name}@${spec.version}`,
        data: input.data,
      }),
    );
    this.publish(t, spec.start, this.definition.handlers.startPayload(input.data), null);
    this.expect(t, 0);
    return t;
  }

  onEvent(current: SagaInstance<Data>, event: EventMessage): SagaTransition<Data> | IgnoredEvent {
    const match = this.byType.get(event.type);
    if (current.status !== SagaStatus.PENDING)
      return this.ignore(current, event, 'the saga has ended');
    if (!match) return this.ignore(current, event, 'not an event of this saga');
    const forward = match.outcome === 'succeeded' || match.outcome === 'failed';
    const refusal = forward
      ? this.refuseForward(current, match.stepIndex)
      : this.refuseUndo(current, match.stepIndex);
    if (refusal) return this.ignore(current, event, refusal);

    const t = beginTransition(current, this.env.now());
    const spec = this.definition.spec.steps[match.stepIndex];
    t.audit.push(auditLine(t, AuditType.EVENT_RECEIVED, spec.name, eventDetail(event)));
    if (forward) this.inferEarlierSuccesses(t, match.stepIndex, event);
    switch (match.outcome) {
      case 'succeeded':
        return this.succeeded(t, match.stepIndex, event.payload);
      case 'failed':
        this.fail(t, spec, StepStatus.FAILED, reasonOf(event.payload) ?? 'refused');
        return t;
      case 'compensated':
        this.undone(t, match.stepIndex, StepStatus.COMPENSATED);
        return t;
      case 'compensationFailed':
        this.undone(t, match.stepIndex, StepStatus.COMPENSATION_FAILED);
        return t;
    }
  }

  /** The deadline watcher: a step whose outcome did not come in time cancels the saga. */
  onTimer(current: SagaInstance<Data>, timer: SagaTimer): SagaTransition<Data> | null {
    const awaiting = current.awaiting;
    if (!this.running(current) || !awaiting || timer.key !== timerKey(awaiting)) return null;
    const t = beginTransition(current, this.env.now());
    const spec = this.definition.spec.steps[awaiting.stepIndex];
    t.audit.push(auditLine(t, AuditType.STEP_TIMED_OUT, spec.name, { timeoutMs: spec.timeoutMs }));
    this.cancelSaga(t, spec, StepStatus.TIMED_OUT, `no outcome within ${spec.timeoutMs} ms`);
    return t;
  }

  /** An operator stops a running saga: the same cancel event as a missed deadline. */
  cancel(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null {
    const awaiting = current.awaiting;
    if (!this.running(current) || !awaiting) return null;
    const t = beginTransition(current, this.env.now());
    const spec = this.definition.spec.steps[awaiting.stepIndex];
    t.audit.push(auditLine(t, AuditType.OPERATOR_CANCELLED, spec.name, { ...by }));
    this.cancelSaga(t, spec, StepStatus.CANCELLED, `cancelled by ${by.operator}: ${by.reason}`);
    return t;
  }

  /**
   * Why a step's success or failure cannot apply now, or null if it can. Events from
   * different participants may be consumed out of order (concurrent consumers, redelivery):
   * a later step's outcome can arrive before the success of the step it reacted to, so it
   * is accepted while the saga still runs forward.
   */
  private refuseForward(current: SagaInstance<Data>, stepIndex: number): string | null {
    const step = current.steps[stepIndex];
    if (current.compensating) {
      // A late outcome: the saga moved on (timed out, or already undoing); the undo chain
      // that runs from the last participant back cancels whatever this event reports.
      return `step ${step.name} is ${step.status}`;
    }
    if (step.status === StepStatus.RUNNING) return null;
    const awaited = current.awaiting?.stepIndex;
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
  private refuseUndo(current: SagaInstance<Data>, stepIndex: number): string | null {
    const step = current.steps[stepIndex];
    if (TO_UNDO.includes(step.status)) return null;
    if (!current.compensating) return 'nothing is being undone';
    if (step.status === StepStatus.PENDING) return null;
    // A second undo report, e.g. after a late step was refused and the chain ran again.
    return `step ${step.name} is already ${step.status}`;
  }

  /**
   * Each step of a choreography reacts to the previous step's success, and each event
   * carries the saga's data forward: an outcome of step `stepIndex` proves that the steps
   * before it succeeded, even if their own events are still on the way.
   */
  private inferEarlierSuccesses(
    t: SagaTransition<Data>,
    stepIndex: number,
    event: EventMessage,
  ): void {
    const steps = t.instance.steps;
    for (let i = t.instance.awaiting?.stepIndex ?? stepIndex; i < stepIndex; i++) {
      if (steps[i].status !== StepStatus.RUNNING && steps[i].status !== StepStatus.PENDING) {
        continue;
      }
      steps[i].status = StepStatus.COMPLETED;
      steps[i].startedAt ??= t.instance.updatedAt;
      steps[i].endedAt = t.instance.updatedAt;
      t.instance.data = this.definition.handlers.onSucceeded(i, t.instance.data, event.payload);
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

  private running(saga: SagaInstance<Data>): boolean {
    return saga.status === SagaStatus.PENDING && !saga.compensating;
  }

  private cancelSaga(
    t: SagaTransition<Data>,
    spec: ChoreographyStepSpec,
    status: StepStatus,
    reason: string,
  ): void {
    this.fail(t, spec, status, reason);
    const payload = this.definition.handlers.cancelPayload(t.instance.data, reason);
    this.publish(t, this.definition.spec.cancel, payload, spec.name);
  }

  private succeeded(
    t: SagaTransition<Data>,
    stepIndex: number,
    payload: unknown,
  ): SagaTransition<Data> {
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.COMPLETED;
    step.endedAt = t.instance.updatedAt;
    t.instance.data = this.definition.handlers.onSucceeded(stepIndex, t.instance.data, payload);
    t.audit.push(auditLine(t, AuditType.STEP_COMPLETED, step.name, {}));
    if (stepIndex + 1 < t.instance.steps.length) {
      this.expect(t, stepIndex + 1);
    } else {
      t.instance.status = SagaStatus.CONFIRMED;
      t.instance.awaiting = null;
      t.timer = null;
      t.audit.push(auditLine(t, AuditType.SAGA_CONFIRMED, null, {}));
    }
    return t;
  }

  /** A step failed or timed out: from now on the tracker waits for the undo chain. */
  private fail(
    t: SagaTransition<Data>,
    spec: ChoreographyStepSpec,
    status: StepStatus,
    reason: string,
  ): void {
    const stepIndex = this.definition.spec.steps.indexOf(spec);
    const step = t.instance.steps[stepIndex];
    step.status = status;
    step.endedAt = t.instance.updatedAt;
    step.lastError = reason;
    t.instance.failureReason = `${spec.name}: ${reason}`;
    t.instance.compensating = true;
    t.instance.awaiting = null;
    t.timer = null;
    if (status === StepStatus.FAILED)
      t.audit.push(auditLine(t, AuditType.STEP_FAILED, spec.name, { reason }));
    t.audit.push(
      auditLine(t, AuditType.COMPENSATION_STARTED, null, { cause: t.instance.failureReason }),
    );
    for (const earlier of t.instance.steps.slice(0, stepIndex)) {
      if (earlier.status === StepStatus.COMPLETED) earlier.status = StepStatus.COMPENSATING;
    }
    this.finishIfUndone(t);
  }

  private undone(t: SagaTransition<Data>, stepIndex: number, status: StepStatus): void {
    const step = t.instance.steps[stepIndex];
    if (
      TO_UNDO.includes(step.status) ||
      (status === StepStatus.COMPENSATION_FAILED && step.status === StepStatus.PENDING)
    ) {
      step.status = status;
      step.endedAt = t.instance.updatedAt;
      const type =
        status === StepStatus.COMPENSATED
          ? AuditType.STEP_COMPENSATED
          : AuditType.STEP_COMPENSATION_FAILED;
      t.audit.push(auditLine(t, type, step.name, {}));
    } else if (step.status === StepStatus.PENDING) {
      // The undo chain passed a step that never ran: there was nothing to undo.
      step.status = StepStatus.SKIPPED;
    }
    this.finishIfUndone(t);
  }

  private finishIfUndone(t: SagaTransition<Data>): void {
    if (!t.instance.compensating) return;
    if (t.instance.steps.some((s) => TO_UNDO.includes(s.status))) return;
    finishCompensation(t);
  }

  /** The saga now waits for step `stepIndex`'s outcome, until its deadline. */
  private expect(t: SagaTransition<Data>, stepIndex: number): void {
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.RUNNING;
    step.attempts = 1;
    step.startedAt = t.instance.updatedAt;
    const awaiting = {
      kind: 'reply' as const,
      stepIndex,
      phase: CommandPhase.FORWARD,
      attempt: 1,
      commandId: '',
    };
    t.instance.awaiting = awaiting;
    const fireAt = new Date(
      t.instance.updatedAt.getTime() + this.definition.spec.steps[stepIndex].timeoutMs,
    );
    t.timer = { sagaId: t.instance.id, fireAt, key: timerKey(awaiting) };
  }

  private publish(
    t: SagaTransition<Data>,
    event: EventRef,
    payload: unknown,
    step: string | null,
  ): void {
    const message: EventMessage = {
      messageId: this.env.newId(),
      type: event.type,
      correlationId: t.instance.id,
      source: this.env.source,
      payload,
      occurredAt: t.instance.updatedAt.toISOString(),
    };
    t.messages.push({
      messageId: message.messageId,
      exchange: event.exchange,
      routingKey: event.type,
      type: event.type,
      body: message,
    });
    t.audit.push(
      auditLine(t, AuditType.EVENT_PUBLISHED, step, {
        event: event.type,
        messageId: message.messageId,
        payload,
      }),
    );
  }

  private ignore(current: SagaInstance<Data>, event: EventMessage, reason: string): IgnoredEvent {
    const match = this.byType.get(event.type);
    const audit: AuditEntry = {
      sagaId: current.id,
      at: this.env.now(),
      type: AuditType.EVENT_IGNORED,
      step: match ? current.steps[match.stepIndex].name : null,
      detail: { ...eventDetail(event), reason },
    };
    return { ignored: true, audit: [audit] };
  }
}

function eventDetail(event: EventMessage): Record<string, unknown> {
  return {
    event: event.type,
    source: event.source,
    messageId: event.messageId,
    payload: event.payload,
  };
}

function reasonOf(payload: unknown): string | undefined {
  const reason = (payload as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}
