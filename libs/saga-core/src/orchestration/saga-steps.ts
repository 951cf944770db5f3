import { retryDelayMs } from '../definition/retry-policy';
import { SagaDefinition } from '../definition/saga-definition';
import { CommandRef, parallelGroupOf, StepKind, StepSpec } from '../definition/saga-spec';
import { AuditType } from '../model/audit-entry';
import { AwaitedReply } from '../model/saga-instance';
import { StateMachineEnvironment } from '../model/saga-machine';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { auditLine, finishCompensation, nextActiveStep } from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { needsUndo } from '../model/step-undo';
import { CommandMessage, CommandPhase, OutgoingMessage } from '../transport/message-envelope';
import { AwaitedSteps } from './awaited-steps';

/**
 * What an orchestrated saga does to its steps within one transition: send a step's command
 * (every step of a parallel group at once), complete it, retry it with backoff or give it up;
 * then, once no step is out any more, undo the steps that took effect (or may have), in
 * reverse order, each after the previous one's reply, retrying a failing undo by its policy
 * and going on past one that stays failed, so an operator has as little as possible left to
 * repair.
 */
export class SagaSteps<Data> {
  constructor(
    private readonly definition: SagaDefinition<Data>,
    private readonly env: StateMachineEnvironment,
  ) {}

  stepSpec(stepIndex: number): StepSpec {
    return this.definition.spec.steps[stepIndex];
  }

  // ---- forward path ----

  sendForward(t: SagaTransition<Data>, stepIndex: number, attempt: number): void {
    const spec = this.stepSpec(stepIndex);
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.RUNNING;
    step.attempts = attempt;
    step.startedAt ??= t.instance.updatedAt;
    const payload = this.definition.handlers[stepIndex].buildCommand(t.instance.data);
    const messageId = this.send(t, stepIndex, CommandPhase.FORWARD, attempt, spec.command, payload);
    t.audit.push(
      auditLine(t, AuditType.COMMAND_SENT, spec.name, {
        command: spec.command.type,
        attempt,
        messageId,
        payload,
      }),
    );
  }

  completeStep(t: SagaTransition<Data>, stepIndex: number, reply: unknown): void {
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.COMPLETED;
    step.endedAt = t.instance.updatedAt;
    step.lastError = null;
    const onReply = this.definition.handlers[stepIndex].onReply;
    if (onReply) t.instance.data = onReply(t.instance.data, reply);
    t.audit.push(auditLine(t, AuditType.STEP_COMPLETED, step.name, { attempts: step.attempts }));
    this.forwardSettled(t, stepIndex);
  }

  /**
   * Sends the first step at or after `from` that runs for this saga, with the steps of its
   * parallel group that run, or confirms the saga.
   */
  sendNextFrom(t: SagaTransition<Data>, from: number): void {
    const next = nextActiveStep(t.instance, from);
    if (next >= 0) {
      const { last } = parallelGroupOf(this.definition.spec.steps, next);
      for (let i = next; i <= last; i++) {
        if (t.instance.steps[i].status !== StepStatus.INACTIVE) this.sendForward(t, i, 1);
      }
      return;
    }
    t.instance.status = SagaStatus.CONFIRMED;
    t.audit.push(auditLine(t, AuditType.SAGA_CONFIRMED, null, {}));
  }

  forwardFailed(
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
    // A step after the pivot never fails for good: it is retried, however it failed, until it
    // succeeds (its policy's delay growing up to its cap), and never compensated.
    const afterPivot = spec.kind === StepKind.RETRIABLE;
    // Once the saga compensates, a step beside the one that failed is not tried again.
    const retry = retryable && !t.instance.compensating;
    if (afterPivot || (retry && awaiting.attempt < spec.retry.maxAttempts)) {
      const delayMs = retryDelayMs(spec.retry, awaiting.attempt, this.env.random);
      this.backoff(t, awaiting.stepIndex, CommandPhase.FORWARD, awaiting.attempt + 1, delayMs);
      t.audit.push(
        auditLine(t, AuditType.STEP_RETRY_SCHEDULED, spec.name, {
          reason,
          nextAttempt: awaiting.attempt + 1,
          delayMs,
        }),
      );
      return;
    }
    step.status = timedOut ? StepStatus.TIMED_OUT : StepStatus.FAILED;
    step.endedAt = t.instance.updatedAt;
    if (!timedOut)
      t.audit.push(
        auditLine(t, AuditType.STEP_FAILED, spec.name, { reason, attempts: step.attempts }),
      );
    if (!t.instance.compensating) {
      t.instance.failureReason = `${spec.name}: ${reason}`;
      t.instance.compensating = true;
      t.audit.push(
        auditLine(t, AuditType.COMPENSATION_STARTED, null, { cause: t.instance.failureReason }),
      );
      AwaitedSteps.abandonRetries(t);
    }
    // A step that timed out, now or on an earlier attempt, may have taken effect: it is
    // undone too (its compensation tolerates undoing work that never happened).
    this.forwardSettled(t, awaiting.stepIndex);
  }

  /**
   * A forward step has its outcome. Once no step of its group is out any more, the saga
   * goes on: to the next group, or, compensating, to the undo of every step that took effect
   * (a step beside the failed one that succeeded meanwhile is undone too).
   */
  private forwardSettled(t: SagaTransition<Data>, stepIndex: number): void {
    if (AwaitedSteps.forwardOut(t.instance).length > 0) return;
    if (t.instance.compensating) {
      this.compensateFrom(t, t.instance.steps.length - 1);
      return;
    }
    this.sendNextFrom(t, parallelGroupOf(this.definition.spec.steps, stepIndex).last + 1);
  }

  // ---- compensation path ----

  /** Sends the compensation of the highest step at or below `fromIndex` that needs one. */
  compensateFrom(t: SagaTransition<Data>, fromIndex: number): void {
    for (let i = fromIndex; i >= 0; i--) {
      const step = t.instance.steps[i];
      if (needsUndo(step) && this.stepSpec(i).compensation) {
        this.sendCompensation(t, i, 1);
        return;
      }
    }
    finishCompensation(t);
  }

  sendCompensation(t: SagaTransition<Data>, stepIndex: number, attempt: number): void {
    const spec = this.stepSpec(stepIndex);
    const compensation = spec.compensation as CommandRef;
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.COMPENSATING;
    step.compensationAttempts = attempt;
    const build = this.definition.handlers[stepIndex].buildCompensation;
    const payload = build ? build(t.instance.data) : {};
    const messageId = this.send(
      t,
      stepIndex,
      CommandPhase.COMPENSATION,
      attempt,
      compensation,
      payload,
    );
    t.audit.push(
      auditLine(t, AuditType.COMPENSATION_SENT, spec.name, {
        command: compensation.type,
        attempt,
        messageId,
        payload,
      }),
    );
  }

  compensated(t: SagaTransition<Data>, stepIndex: number): void {
    const step = t.instance.steps[stepIndex];
    step.status = StepStatus.COMPENSATED;
    step.endedAt = t.instance.updatedAt;
    t.audit.push(
      auditLine(t, AuditType.STEP_COMPENSATED, step.name, { attempts: step.compensationAttempts }),
    );
    this.compensateFrom(t, stepIndex - 1);
  }

  compensationFailed(t: SagaTransition<Data>, awaiting: AwaitedReply, reason: string): void {
    const spec = this.stepSpec(awaiting.stepIndex);
    const step = t.instance.steps[awaiting.stepIndex];
    step.lastError = reason;
    const policy = spec.compensationRetry;
    t.audit.push(
      auditLine(t, AuditType.COMPENSATION_ATTEMPT_FAILED, spec.name, {
        attempt: awaiting.attempt,
        reason,
      }),
    );
    if (awaiting.attempt < policy.maxAttempts) {
      const delayMs = retryDelayMs(policy, awaiting.attempt, this.env.random);
      this.backoff(t, awaiting.stepIndex, CommandPhase.COMPENSATION, awaiting.attempt + 1, delayMs);
      t.audit.push(
        auditLine(t, AuditType.COMPENSATION_RETRY_SCHEDULED, spec.name, {
          nextAttempt: awaiting.attempt + 1,
          delayMs,
        }),
      );
      return;
    }
    step.status = StepStatus.COMPENSATION_FAILED;
    step.endedAt = t.instance.updatedAt;
    t.audit.push(
      auditLine(t, AuditType.STEP_COMPENSATION_FAILED, spec.name, {
        attempts: awaiting.attempt,
        reason,
      }),
    );
    this.compensateFrom(t, awaiting.stepIndex - 1);
  }

  // ---- plumbing ----

  /** Sets the saga's one timer on what it waits for first; call once a transition is decided. */
  syncTimer(t: SagaTransition<Data>): void {
    t.timer = AwaitedSteps.timerOf(t.instance);
  }

  /** Sends a step's command and waits for its reply until the step's timeout; its id. */
  send(
    t: SagaTransition<Data>,
    stepIndex: number,
    phase: CommandPhase,
    attempt: number,
    target: CommandRef,
    payload: unknown,
  ): string {
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
    AwaitedSteps.wait(t, {
      kind: 'reply',
      stepIndex,
      phase,
      attempt,
      commandId: command.messageId,
      fireAt: this.dueIn(t, spec.timeoutMs),
    });
    return command.messageId;
  }

  backoff(
    t: SagaTransition<Data>,
    stepIndex: number,
    phase: CommandPhase,
    attempt: number,
    delayMs: number,
  ): void {
    const fireAt = this.dueIn(t, delayMs);
    AwaitedSteps.wait(t, { kind: 'backoff', stepIndex, phase, attempt, commandId: '', fireAt });
  }

  private dueIn(t: SagaTransition<Data>, delayMs: number): string {
    return new Date(t.instance.updatedAt.getTime() + delayMs).toISOString();
  }
}
