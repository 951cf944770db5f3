import { AuditEntry, AuditType } from '../model/audit-entry';
import { SagaInstance, SagaTimer } from '../model/saga-instance';
import { parallelGroupOf } from '../definition/saga-spec';
import {
  IgnoredEvent,
  MachineInputs,
  OperatorRequest,
  SagaMachine,
  SagaStartInput,
  StateMachineEnvironment,
} from '../model/saga-machine';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import {
  auditLine,
  beginTransition,
  nextActiveStep,
  skipInactiveSteps,
  startTransition,
} from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { CommandPhase } from '../transport/message-envelope';
import { ChoreographyDefinition } from './choreography-definition';
import { eventDetail, publishEvent, reasonOf } from './choreography-messages';
import { ChoreographySpec, ChoreographyStepSpec, EventRef } from '../definition/choreography-spec';
import { inferEarlierSuccesses } from './choreography-inference';
import { isSuccessBesideRefusal, successBesideRefusal } from './choreography-beside-refusal';
import { refuseForward, refuseUndo } from './choreography-refusals';
import { ChoreographyUndoChain, UNDO_REPORTED } from './choreography-undo-chain';
import { ChoreographyAwaited } from './choreography-awaited';
import { EventMessage } from '../transport/event-message';

type Outcome = 'succeeded' | 'failed' | 'compensated' | 'compensationFailed';

/**
 * Follows a choreographed saga from the events it observes, with no I/O: the participants
 * decide everything among themselves; this tracker projects their events into the same saga
 * state, steps and audit log as an orchestrated saga, and keeps a deadline in every phase.
 * Running forward, when the next event does not come in time, it publishes the cancel event
 * (a choreography has no central timer of its own); compensating, it follows the undo chain
 * and asks a step for its undo when that does not come in time (`ChoreographyUndoChain`).
 */
export class ChoreographyStateMachine<Data> implements SagaMachine<Data, ChoreographySpec> {
  private readonly byType = new Map<string, { stepIndex: number; outcome: Outcome }>();
  private readonly undo: ChoreographyUndoChain<Data>;
  /** The events that move the saga: each step's outcomes. */
  readonly inputs: MachineInputs;

  constructor(
    private readonly definition: ChoreographyDefinition<Data>,
    private readonly env: StateMachineEnvironment,
  ) {
    this.undo = new ChoreographyUndoChain(definition, env);
    const events: EventRef[] = [];
    definition.spec.steps.forEach((step, stepIndex) => {
      for (const outcome of ['succeeded', 'failed', 'compensated', 'compensationFailed'] as const) {
        this.byType.set(step[outcome].type, { stepIndex, outcome });
        events.push(step[outcome]);
      }
    });
    this.inputs = { commandChannels: [], events };
  }

  get spec(): ChoreographySpec {
    return this.definition.spec;
  }

  start(input: SagaStartInput<Data>): SagaTransition<Data> {
    const now = this.env.now();
    const { spec } = this.definition;
    const t = startTransition(spec, input, now);
    // Optional steps are decided here, once, on the starting data.
    const { handlers } = this.definition;
    skipInactiveSteps(
      t,
      spec.steps.map((_, i) => handlers.isActive(i, input.data)),
    );
    this.publish(t, spec.start, handlers.startPayload(input.data), null);
    this.expectFrom(t, 0);
    return t;
  }

  onEvent(current: SagaInstance<Data>, event: EventMessage): SagaTransition<Data> | IgnoredEvent {
    const match = this.byType.get(event.type);
    if (current.status !== SagaStatus.PENDING)
      return this.ignore(current, event, 'the saga has ended');
    if (!match) return this.ignore(current, event, 'not an event of this saga');
    if (match.outcome === 'succeeded' && isSuccessBesideRefusal(current, match.stepIndex)) {
      return successBesideRefusal(current, match.stepIndex, event, this.definition, this.env.now());
    }
    const forward = match.outcome === 'succeeded' || match.outcome === 'failed';
    const refusal = forward
      ? refuseForward(current, match.stepIndex)
      : refuseUndo(current, match.stepIndex, match.outcome === 'compensated');
    if (refusal) return this.ignore(current, event, refusal);

    const t = beginTransition(current, this.env.now());
    const spec = this.definition.spec.steps[match.stepIndex];
    t.audit.push(auditLine(t, AuditType.EVENT_RECEIVED, spec.name, eventDetail(event)));
    if (forward) inferEarlierSuccesses(t, match.stepIndex, event, this.definition);
    switch (match.outcome) {
      case 'succeeded':
        return this.succeeded(t, match.stepIndex, event.payload);
      case 'failed':
        this.failed(t, spec, reasonOf(event.payload) ?? 'refused');
        return t;
      case 'compensated':
        this.undo.reported(t, match.stepIndex, StepStatus.COMPENSATED, undefined);
        return t;
      case 'compensationFailed': {
        const reason = reasonOf(event.payload);
        this.undo.reported(t, match.stepIndex, StepStatus.COMPENSATION_FAILED, reason);
        return t;
      }
    }
  }

  /**
   * The deadline watcher. Running forward, a step whose outcome did not come in time cancels
   * the saga; compensating, an undo that did not come in time is asked for again, or given up.
   */
  onTimer(current: SagaInstance<Data>, timer: SagaTimer): SagaTransition<Data> | null {
    const awaiting = ChoreographyAwaited.firedBy(current, timer);
    if (current.status !== SagaStatus.PENDING || !awaiting) return null;
    const t = beginTransition(current, this.env.now());
    if (awaiting.phase === CommandPhase.COMPENSATION) {
      this.undo.onTimer(t, awaiting);
      return t;
    }
    if (!this.running(current)) return null;
    const spec = this.definition.spec.steps[awaiting.stepIndex];
    t.audit.push(auditLine(t, AuditType.STEP_TIMED_OUT, spec.name, { timeoutMs: spec.timeoutMs }));
    this.cancelSaga(t, spec, StepStatus.TIMED_OUT, `no outcome within ${spec.timeoutMs} ms`);
    return t;
  }

  /** An operator stops a running saga: the cancel event of a missed deadline, for its first step out. */
  cancel(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null {
    const awaited = ChoreographyAwaited.lowest(current);
    if (!this.running(current) || awaited === undefined) return null;
    const t = beginTransition(current, this.env.now());
    const spec = this.definition.spec.steps[awaited];
    t.audit.push(auditLine(t, AuditType.OPERATOR_CANCELLED, spec.name, { ...by }));
    this.cancelSaga(t, spec, StepStatus.CANCELLED, `cancelled by ${by.operator}: ${by.reason}`);
    return t;
  }

  /**
   * An operator retries the undos that failed, once their cause is fixed: each is asked for
   * again with its undo request event, under a deadline, as a stalled chain is.
   */
  retryCompensation(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null {
    if (current.status !== SagaStatus.COMPENSATION_FAILED) return null;
    const t = beginTransition(current, this.env.now());
    t.instance.status = SagaStatus.PENDING;
    t.audit.push(auditLine(t, AuditType.OPERATOR_RETRIED_COMPENSATION, null, { ...by }));
    this.undo.retry(t);
    return t;
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
    // The cancel event reaches the last step first: it may hold work the tracker never saw.
    this.undo.begin(t, t.instance.steps.length - 1);
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
    // Steps whose success this one proves (inferred) are not waited for any more.
    const steps = t.instance.steps;
    ChoreographyAwaited.keep(t, (a) => steps[a.stepIndex].status === StepStatus.RUNNING);
    // The steps of a parallel group report one by one: the group is done with its last.
    const { first, last } = parallelGroupOf(this.definition.spec.steps, stepIndex);
    let done = true;
    for (let k = first; k <= last; k++) {
      if (steps[k].status !== StepStatus.RUNNING && steps[k].status !== StepStatus.PENDING)
        continue;
      done = false;
      // A sibling of a step whose event overtook their group's start is waited for from now.
      if (!ChoreographyAwaited.has(t.instance, k))
        ChoreographyAwaited.outcome(t, k, this.definition.spec.steps[k].timeoutMs);
    }
    if (done) this.expectFrom(t, last + 1);
    return t;
  }

  /**
   * Waits for the first step at or after `from` that runs for this saga and the steps of its
   * parallel group that run, or confirms the saga.
   */
  private expectFrom(t: SagaTransition<Data>, from: number): void {
    const next = nextActiveStep(t.instance, from);
    if (next >= 0) {
      // Every step of its group that runs starts together, each under its own deadline.
      t.instance.awaiting = [];
      const { last } = parallelGroupOf(this.definition.spec.steps, next);
      for (let k = next; k <= last; k++) {
        if (t.instance.steps[k].status !== StepStatus.INACTIVE)
          ChoreographyAwaited.outcome(t, k, this.definition.spec.steps[k].timeoutMs);
      }
      return;
    }
    t.instance.status = SagaStatus.CONFIRMED;
    t.instance.awaiting = [];
    t.timer = null;
    t.audit.push(auditLine(t, AuditType.SAGA_CONFIRMED, null, {}));
  }

  /**
   * A step failed, timed out or was cancelled: from now on the tracker follows the undo chain.
   * A refused step's participant announced it, and the one before it undoes its own step.
   */
  private failed(t: SagaTransition<Data>, spec: ChoreographyStepSpec, reason: string): void {
    this.fail(t, spec, StepStatus.FAILED, reason);
    // The other steps of its group undo on its failure: the chain waits for them first.
    const { last } = parallelGroupOf(
      this.definition.spec.steps,
      this.definition.spec.steps.indexOf(spec),
    );
    this.undo.begin(t, last);
  }

  private fail(
    t: SagaTransition<Data>,
    spec: ChoreographyStepSpec,
    status: StepStatus,
    reason: string,
  ): void {
    const stepIndex = this.definition.spec.steps.indexOf(spec);
    const step = t.instance.steps[stepIndex];
    // A step whose undo was reported ahead of the failure keeps it: its work is gone, and
    // counting it as still held would accept the chain's second report of the same undo.
    if (!UNDO_REPORTED.includes(step.status)) {
      step.status = status;
      step.endedAt = t.instance.updatedAt;
      step.lastError = reason;
    }
    t.instance.failureReason = `${spec.name}: ${reason}`;
    t.instance.compensating = true;
    t.instance.awaiting = [];
    if (status === StepStatus.FAILED)
      t.audit.push(auditLine(t, AuditType.STEP_FAILED, spec.name, { reason }));
    t.audit.push(
      auditLine(t, AuditType.COMPENSATION_STARTED, null, { cause: t.instance.failureReason }),
    );
    const { last } = parallelGroupOf(this.definition.spec.steps, stepIndex);
    for (const earlier of t.instance.steps.slice(0, last + 1)) {
      if (earlier.status === StepStatus.COMPLETED) earlier.status = StepStatus.COMPENSATING;
    }
  }

  private publish(
    t: SagaTransition<Data>,
    event: EventRef,
    payload: unknown,
    step: string | null,
  ): void {
    const message = publishEvent(t, this.env, event, payload);
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
