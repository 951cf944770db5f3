import { retryDelayMs } from '../definition/retry-policy';
import { SagaDefinition } from '../definition/saga-definition';
import { CommandRef, SagaSpec, StepSpec } from '../definition/saga-spec';
import { DeadLetterReason, PoisonMessageError } from '../errors/poison-message.error';
import {
  CommandMessage,
  CommandPhase,
  OutgoingMessage,
  ReplyMessage,
  replyTypeOf,
} from '../transport/message-envelope';
import { AuditEntry, AuditType } from '../model/audit-entry';
import { AwaitedReply, SagaInstance, SagaTimer } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import {
  auditLine,
  beginTransition,
  emptyStep,
  finishCompensation,
} from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { needsUndo } from '../model/step-undo';
import {
  IgnoredEvent,
  MachineInputs,
  OperatorRequest,
  SagaMachine,
  SagaStartInput,
  StateMachineEnvironment,
  timerKey,
} from '../model/saga-machine';

/**
 * The engine's decisions, with no I/O: given a saga and an event (start, reply, timer), it
 * returns the transition to commit. Steps run in order; when one fails or times out, the steps
 * that took effect (or may have) are compensated in reverse order, each after the previous
 * one's reply. A failing compensation is retried by its policy; once exhausted, the engine
 * still undoes the remaining steps and ends `COMPENSATION_FAILED`, so an operator has as
 * little as possible left to repair.
 */
export class SagaStateMachine<Data> implements SagaMachine<Data, SagaSpec> {
  /** The replies this saga's commands can get; any other type is poison. */
  private readonly replyTypes: ReadonlySet<string>;

  constructor(
    private readonly definition: SagaDefinition<Data>,
    private readonly env: StateMachineEnvironment,
  ) {
    const commands = definition.spec.steps.flatMap((s) =>
      s.compensation ? [s.command, s.compensation] : [s.command],
    );
    this.replyTypes = new Set(commands.map((c) => replyTypeOf(c.type)));
  }

  get spec(): SagaSpec {
    return this.definition.spec;
  }

  get inputs(): MachineInputs {
    const channels = this.definition.spec.steps.flatMap((s) =>
      s.compensation ? [s.command.channel, s.compensation.channel] : [s.command.channel],
    );
    return { commandChannels: [...new Set(channels)], events: [] };
  }

  start(input: SagaStartInput<Data>): SagaTransition<Data> {
    const now = this.env.now();
    const instance: SagaInstance<Data> = {
      id: input.sagaId,
      definitionName: this.definition.spec.name,
      definitionVersion: this.definition.spec.version,
      status: SagaStatus.PENDING,
      compensating: false,
      data: input.data,
      steps: this.definition.spec.steps.map((s) => emptyStep(s.name)),
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
      this.audit(t, AuditType.SAGA_STARTED, null, {
        definition: `${instance.definitionName}@${instance.definitionVersion}`,
        data: instance.data,
      }),
    );
    this.sendForward(t, 0, 1);
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
    const awaiting = current.awaiting;
    const matches =
      current.status === SagaStatus.PENDING &&
      awaiting?.kind === 'reply' &&
      awaiting.commandId === reply.inReplyTo &&
      awaiting.stepIndex === reply.stepIndex &&
      awaiting.phase === reply.phase;
    if (!matches || !awaiting) return this.ignoreReply(current, reply);

    const now = this.env.now();
    const t = this.begin(current, now);
    const spec = this.stepSpec(awaiting.stepIndex);
    t.audit.push(this.audit(t, AuditType.REPLY_RECEIVED, spec.name, replyDetail(reply)));
    t.instance.awaiting = null;
    if (awaiting.phase === CommandPhase.FORWARD) {
      if (reply.outcome === 'success') this.completeStep(t, awaiting.stepIndex, reply.payload);
      else
        this.forwardFailed(
          t,
          awaiting,
          reply.error?.message ?? 'refused',
          reply.error?.retryable ?? false,
        );
    } else if (reply.outcome === 'success') {
      this.compensated(t, awaiting.stepIndex);
    } else {
      this.compensationFailed(t, awaiting, reply.error?.message ?? 'compensation refused');
    }
    return t;
  }

  /** Fires the saga's timer. A stale timer (the saga moved on) yields null. */
  onTimer(current: SagaInstance<Data>, timer: SagaTimer): SagaTransition<Data> | null {
    const awaiting = current.awaiting;
    if (current.status !== SagaStatus.PENDING || !awaiting || timer.key !== timerKey(awaiting)) {
      return null;
    }
    const now = this.env.now();
    const t = this.begin(current, now);
    t.instance.awaiting = null;
    const { stepIndex, phase, attempt } = awaiting;
    if (awaiting.kind === 'backoff') {
      if (phase === CommandPhase.FORWARD) this.sendForward(t, stepIndex, attempt);
      else this.sendCompensation(t, stepIndex, attempt);
      return t;
    }
    const spec = this.stepSpec(stepIndex);
    const reason = `no reply within ${spec.timeoutMs} ms`;
    if (phase === CommandPhase.FORWARD) {
      t.audit.push(
        this.audit(t, AuditType.STEP_TIMED_OUT, spec.name, { attempt, timeoutMs: spec.timeoutMs }),
      );
      this.forwardFailed(t, awaiting, reason, spec.retryOnTimeout, true);
    } else {
      this.compensationFailed(t, awaiting, reason);
    }
    return t;
  }

  /**
   * An operator stops a running saga: the step under way may have taken effect, so it is
   * compensated with the ones before it. Null when the saga is not running forward.
   */
  cancel(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null {
    const awaiting = current.awaiting;
    if (current.status !== SagaStatus.PENDING || current.compensating || !awaiting) return null;
    const t = this.begin(current, this.env.now());
    const step = t.instance.steps[awaiting.stepIndex];
    t.audit.push(this.audit(t, AuditType.OPERATOR_CANCELLED, step.name, { ...by }));
    step.status = StepStatus.CANCELLED;
    step.endedAt = t.instance.updatedAt;
    t.instance.awaiting = null;
    t.instance.failureReason = `${step.name}: cancelled by ${by.operator}: ${by.reason}`;
    t.instance.compensating = true;
    t.audit.push(
      this.audit(t, AuditType.COMPENSATION_STARTED, null, { cause: t.instance.failureReason }),
    );
    this.compensateFrom(t, awaiting.stepIndex);
    return t;
  }

  /** An operator retries the compensations that failed, once their cause is fixed. */
  retryCompensation(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null {
    if (current.status !== SagaStatus.COMPENSATION_FAILED) return null;
    const t = this.begin(current, this.env.now());
    t.instance.status = SagaStatus.PENDING;
    t.audit.push(this.audit(t, AuditType.OPERATOR_RETRIED_COMPENSATION, null, { ...by }));
    this.compensateFrom(t, t.instance.steps.length - 1);
    return t;
  }

  // ---- forward path ----

  private sendForward(t: SagaTransition<Data>, stepIndex: number, attempt: number): void {
    const spec = this.stepSpec(stepIndex);
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.RUNNING;
    step.attempts = attempt;
    step.startedAt ??= t.instance.updatedAt;
    const payload = this.definition.handlers[stepIndex].buildCommand(t.instance.data);
    this.send(t, stepIndex, CommandPhase.FORWARD, attempt, spec.command, payload);
    t.audit.push(
      this.audit(t, AuditType.COMMAND_SENT, spec.name, {
        command: spec.command.type,
        attempt,
        messageId: t.instance.awaiting?.commandId,
        payload,
      }),
    );
  }

  private completeStep(t: SagaTransition<Data>, stepIndex: number, reply: unknown): void {
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.COMPLETED;
    step.endedAt = t.instance.updatedAt;
    step.lastError = null;
    const onReply = this.definition.handlers[stepIndex].onReply;
    if (onReply) t.instance.data = onReply(t.instance.data, reply);
    t.audit.push(this.audit(t, AuditType.STEP_COMPLETED, step.name, { attempts: step.attempts }));
    if (stepIndex + 1 < t.instance.steps.length) {
      this.sendForward(t, stepIndex + 1, 1);
      return;
    }
    t.instance.status = SagaStatus.CONFIRMED;
    t.timer = null;
    t.audit.push(this.audit(t, AuditType.SAGA_CONFIRMED, null, {}));
  }

  private forwardFailed(
    t: SagaTransition<Data>,
    awaiting: AwaitedReply,
    reason: string,
    retryable: boolean,
    timedOut = false,
  ): void {
    const spec = this.stepSpec(awaiting.stepIndex);
    const step = t.instance.steps[awaiting.stepIndex];
    step.lastError = reason;
    // However the later attempts end, the participant may hold this one's work.
    if (timedOut) step.mayHaveTakenEffect = true;
    if (retryable && awaiting.attempt < spec.retry.maxAttempts) {
      const delayMs = retryDelayMs(spec.retry, awaiting.attempt, this.env.random);
      this.backoff(t, awaiting.stepIndex, CommandPhase.FORWARD, awaiting.attempt + 1, delayMs);
      t.audit.push(
        this.audit(t, AuditType.STEP_RETRY_SCHEDULED, spec.name, {
          reason,
          nextAttempt: awaiting.attempt + 1,
          delayMs,
        }),
      );
      return;
    }
    step.status = timedOut ? StepStatus.TIMED_OUT : StepStatus.FAILED;
    step.endedAt = t.instance.updatedAt;
    t.instance.failureReason = `${spec.name}: ${reason}`;
    if (!timedOut)
      t.audit.push(
        this.audit(t, AuditType.STEP_FAILED, spec.name, { reason, attempts: step.attempts }),
      );
    t.instance.compensating = true;
    t.audit.push(
      this.audit(t, AuditType.COMPENSATION_STARTED, null, { cause: t.instance.failureReason }),
    );
    // A step that timed out, now or on an earlier attempt, may have taken effect: it is
    // undone too (its compensation tolerates undoing work that never happened).
    this.compensateFrom(t, awaiting.stepIndex);
  }

  // ---- compensation path ----

  /** Sends the compensation of the highest step at or below `fromIndex` that needs one. */
  private compensateFrom(t: SagaTransition<Data>, fromIndex: number): void {
    for (let i = fromIndex; i >= 0; i--) {
      const step = t.instance.steps[i];
      if (needsUndo(step) && this.stepSpec(i).compensation) {
        this.sendCompensation(t, i, 1);
        return;
      }
    }
    this.finish(t);
  }

  private sendCompensation(t: SagaTransition<Data>, stepIndex: number, attempt: number): void {
    const spec = this.stepSpec(stepIndex);
    const compensation = spec.compensation as CommandRef;
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.COMPENSATING;
    step.compensationAttempts = attempt;
    const build = this.definition.handlers[stepIndex].buildCompensation;
    const payload = build ? build(t.instance.data) : {};
    this.send(t, stepIndex, CommandPhase.COMPENSATION, attempt, compensation, payload);
    t.audit.push(
      this.audit(t, AuditType.COMPENSATION_SENT, spec.name, {
        command: compensation.type,
        attempt,
        messageId: t.instance.awaiting?.commandId,
        payload,
      }),
    );
  }

  private compensated(t: SagaTransition<Data>, stepIndex: number): void {
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.COMPENSATED;
    step.endedAt = t.instance.updatedAt;
    t.audit.push(
      this.audit(t, AuditType.STEP_COMPENSATED, step.name, { attempts: step.compensationAttempts }),
    );
    this.compensateFrom(t, stepIndex - 1);
  }

  private compensationFailed(
    t: SagaTransition<Data>,
    awaiting: AwaitedReply,
    reason: string,
  ): void {
    const spec = this.stepSpec(awaiting.stepIndex);
    const step = t.instance.steps[awaiting.stepIndex];
    step.lastError = reason;
    const policy = spec.compensationRetry;
    t.audit.push(
      this.audit(t, AuditType.COMPENSATION_ATTEMPT_FAILED, spec.name, {
        attempt: awaiting.attempt,
        reason,
      }),
    );
    if (awaiting.attempt < policy.maxAttempts) {
      const delayMs = retryDelayMs(policy, awaiting.attempt, this.env.random);
      this.backoff(t, awaiting.stepIndex, CommandPhase.COMPENSATION, awaiting.attempt + 1, delayMs);
      t.audit.push(
        this.audit(t, AuditType.COMPENSATION_RETRY_SCHEDULED, spec.name, {
          nextAttempt: awaiting.attempt + 1,
          delayMs,
        }),
      );
      return;
    }
    step.status = StepStatus.COMPENSATION_FAILED;
    step.endedAt = t.instance.updatedAt;
    t.audit.push(
      this.audit(t, AuditType.STEP_COMPENSATION_FAILED, spec.name, {
        attempts: awaiting.attempt,
        reason,
      }),
    );
    this.compensateFrom(t, awaiting.stepIndex - 1);
  }

  private finish(t: SagaTransition<Data>): void {
    finishCompensation(t);
  }

  // ---- plumbing ----

  private send(
    t: SagaTransition<Data>,
    stepIndex: number,
    phase: CommandPhase,
    attempt: number,
    target: CommandRef,
    payload: unknown,
  ): void {
    const spec = this.stepSpec(stepIndex);
    const command: CommandMessage = {
      messageId: this.env.newId(),
      type: target.type,
      sagaId: t.instance.id,
      step: spec.name,
      stepIndex,
      phase,
      attempt,
      replyTo: this.env.replyQueue,
      payload,
      sentAt: t.instance.updatedAt.toISOString(),
    };
    const message: OutgoingMessage = {
      messageId: command.messageId,
      exchange: '',
      routingKey: target.channel,
      type: command.type,
      body: command,
    };
    t.messages.push(message);
    t.instance.awaiting = {
      kind: 'reply',
      stepIndex,
      phase,
      attempt,
      commandId: command.messageId,
    };
    t.timer = this.timer(t, spec.timeoutMs);
  }

  private backoff(
    t: SagaTransition<Data>,
    stepIndex: number,
    phase: CommandPhase,
    attempt: number,
    delayMs: number,
  ): void {
    t.instance.awaiting = { kind: 'backoff', stepIndex, phase, attempt, commandId: '' };
    t.timer = this.timer(t, delayMs);
  }

  private timer(t: SagaTransition<Data>, delayMs: number): SagaTimer {
    const awaiting = t.instance.awaiting as AwaitedReply;
    return {
      sagaId: t.instance.id,
      fireAt: new Date(t.instance.updatedAt.getTime() + delayMs),
      key: timerKey(awaiting),
    };
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

  private stepSpec(stepIndex: number): StepSpec {
    return this.definition.spec.steps[stepIndex];
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
