import { activeSteps, SagaDefinition } from '../definition/saga-definition';
import { SagaSpec } from '../definition/saga-spec';
import { DeadLetterReason, PoisonMessageError } from '../errors/poison-message.error';
import { CommandPhase, ReplyMessage, replyTypeOf } from '../transport/message-envelope';
import { AuditEntry, AuditType } from '../model/audit-entry';
import { AwaitedReply, SagaInstance, SagaTimer } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import {
  auditLine,
  beginTransition,
  skipInactiveSteps,
  startTransition,
} from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { AwaitedSteps } from './awaited-steps';
import { SagaSteps } from './saga-steps';
import {
  IgnoredEvent,
  MachineInputs,
  OperatorRequest,
  SagaMachine,
  SagaStartInput,
  StateMachineEnvironment,
} from '../model/saga-machine';

/**
 * The engine's decisions, with no I/O: given a saga and an event (start, reply, timer), it
 * returns the transition to commit. Steps run in order, the steps of a parallel group at once;
 * when one fails or times out, the saga waits for the replies still out, then the steps that
 * took effect (or may have) are compensated in reverse order, each after the previous one's
 * reply. A failing compensation is retried by its policy; once exhausted, the engine
 * still undoes the remaining steps and ends `COMPENSATION_FAILED`, so an operator has as
 * little as possible left to repair.
 */
export class SagaStateMachine<Data> implements SagaMachine<Data, SagaSpec> {
  /** The replies this saga's commands can get; any other type is poison. */
  private readonly replyTypes: ReadonlySet<string>;
  private readonly steps: SagaSteps<Data>;
  /** The queues its commands go to. */
  readonly inputs: MachineInputs;

  constructor(
    private readonly definition: SagaDefinition<Data>,
    private readonly env: StateMachineEnvironment,
  ) {
    const commands = definition.spec.steps.flatMap((s) =>
      s.compensation ? [s.command, s.compensation] : [s.command],
    );
    this.replyTypes = new Set(commands.map((c) => replyTypeOf(c.type)));
    this.inputs = { commandChannels: [...new Set(commands.map((c) => c.channel))], events: [] };
    this.steps = new SagaSteps(definition, env);
  }

  get spec(): SagaSpec {
    return this.definition.spec;
  }

  start(input: SagaStartInput<Data>): SagaTransition<Data> {
    const now = this.env.now();
    const t = startTransition(this.definition.spec, input, now);
    // Optional steps are decided here, once, on the starting data.
    skipInactiveSteps(t, activeSteps(this.definition, input.data));
    this.steps.sendNextFrom(t, 0);
    this.steps.syncTimer(t);
    return t;
  }

  onReply(current: SagaInstance<Data>, reply: ReplyMessage): SagaTransition<Data> | IgnoredEvent {
    if (!this.replyTypes.has(reply.type)) {
      // Not a late or duplicate answer, which is recorded and ignored: it can never apply.
      throw new PoisonMessageError(
        `${reply.type} is not a reply of saga ${this.spec.name}`,
        DeadLetterReason.UNKNOWN_TYPE,
      );
    }
    const awaiting = AwaitedSteps.answeredBy(current, reply);
    if (current.status !== SagaStatus.PENDING || !awaiting) return this.ignoreReply(current, reply);

    const now = this.env.now();
    const t = this.begin(current, now);
    const spec = this.steps.stepSpec(awaiting.stepIndex);
    t.audit.push(this.audit(t, AuditType.REPLY_RECEIVED, spec.name, replyDetail(reply)));
    AwaitedSteps.settle(t, awaiting.stepIndex);
    if (awaiting.phase === CommandPhase.FORWARD) {
      if (reply.outcome === 'success')
        this.steps.completeStep(t, awaiting.stepIndex, reply.payload);
      else
        this.steps.forwardFailed(
          t,
          awaiting,
          reply.error?.message ?? 'refused',
          reply.error?.retryable ?? false,
        );
    } else if (reply.outcome === 'success') {
      this.steps.compensated(t, awaiting.stepIndex);
    } else {
      this.steps.compensationFailed(t, awaiting, reply.error?.message ?? 'compensation refused');
    }
    this.steps.syncTimer(t);
    return t;
  }

  /** Fires the saga's timer. A stale timer (the saga moved on) yields null. */
  onTimer(current: SagaInstance<Data>, timer: SagaTimer): SagaTransition<Data> | null {
    const awaiting = AwaitedSteps.firedBy(current, timer);
    if (current.status !== SagaStatus.PENDING || !awaiting) return null;
    const t = this.begin(current, this.env.now());
    this.fire(t, awaiting);
    this.steps.syncTimer(t);
    return t;
  }

  private fire(t: SagaTransition<Data>, awaiting: AwaitedReply): void {
    AwaitedSteps.settle(t, awaiting.stepIndex);
    const { stepIndex, phase, attempt } = awaiting;
    if (awaiting.kind === 'backoff') {
      if (phase === CommandPhase.FORWARD) this.steps.sendForward(t, stepIndex, attempt);
      else this.steps.sendCompensation(t, stepIndex, attempt);
      return;
    }
    const spec = this.steps.stepSpec(stepIndex);
    const reason = `no reply within ${spec.timeoutMs} ms`;
    if (phase === CommandPhase.FORWARD) {
      t.audit.push(
        this.audit(t, AuditType.STEP_TIMED_OUT, spec.name, { attempt, timeoutMs: spec.timeoutMs }),
      );
      this.steps.forwardFailed(t, awaiting, reason, spec.retryOnTimeout, true);
    } else {
      this.steps.compensationFailed(t, awaiting, reason);
    }
  }

  /**
   * An operator stops a running saga: the steps under way may have taken effect, so they are
   * compensated with the ones before them. Null when the saga is not running forward.
   */
  cancel(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null {
    const out = [...current.awaiting].sort((a, b) => a.stepIndex - b.stepIndex);
    if (current.status !== SagaStatus.PENDING || current.compensating || out.length === 0)
      return null;
    const t = this.begin(current, this.env.now());
    for (const { stepIndex } of out) {
      const step = t.instance.steps[stepIndex];
      t.audit.push(this.audit(t, AuditType.OPERATOR_CANCELLED, step.name, { ...by }));
      step.status = StepStatus.CANCELLED;
      step.endedAt = t.instance.updatedAt;
    }
    t.instance.awaiting = [];
    const first = t.instance.steps[out[0].stepIndex];
    t.instance.failureReason = `${first.name}: cancelled by ${by.operator}: ${by.reason}`;
    t.instance.compensating = true;
    t.audit.push(
      this.audit(t, AuditType.COMPENSATION_STARTED, null, { cause: t.instance.failureReason }),
    );
    this.steps.compensateFrom(t, t.instance.steps.length - 1);
    this.steps.syncTimer(t);
    return t;
  }

  /** An operator retries the compensations that failed, once their cause is fixed. */
  retryCompensation(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null {
    if (current.status !== SagaStatus.COMPENSATION_FAILED) return null;
    const t = this.begin(current, this.env.now());
    t.instance.status = SagaStatus.PENDING;
    t.audit.push(this.audit(t, AuditType.OPERATOR_RETRIED_COMPENSATION, null, { ...by }));
    this.steps.compensateFrom(t, t.instance.steps.length - 1);
    this.steps.syncTimer(t);
    return t;
  }

  private begin(current: SagaInstance<Data>, now: Date): SagaTransition<Data> {
    return beginTransition(current, now);
  }

  private ignoreReply(current: SagaInstance<Data>, reply: ReplyMessage): IgnoredEvent {
    const step = current.steps[reply.stepIndex];
    // Late (its step timed out, was retried or is being undone) or for a saga that ended.
    const stale =
      current.status !== SagaStatus.PENDING
        ? 'the saga has ended'
        : `no longer awaited: step ${step?.name ?? reply.step} is ${step?.status ?? 'unknown'}`;
    return {
      ignored: true,
      audit: [
        {
          sagaId: current.id,
          at: this.env.now(),
          type: AuditType.REPLY_IGNORED,
          step: reply.step,
          detail: { ...replyDetail(reply), reason: stale },
        },
      ],
    };
  }

  private audit(
    t: SagaTransition<Data>,
    type: AuditType,
    step: string | null,
    detail: Record<string, unknown>,
  ): AuditEntry {
    return auditLine(t, type, step, detail);
  }
}

function replyDetail(reply: ReplyMessage): Record<string, unknown> {
  return {
    reply: reply.type,
    phase: reply.phase,
    attempt: reply.attempt,
    outcome: reply.outcome,
    ...(reply.outcome === 'success' ? { payload: reply.payload ?? null } : { error: reply.error }),
    messageId: reply.messageId,
  };
}
