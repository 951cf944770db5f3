import { retryDelayMs } from '../definition/retry-policy';
import { AuditType } from '../model/audit-entry';
import { AwaitedReply, StepState } from '../model/saga-instance';
import { parallelGroupOf } from '../definition/saga-spec';
import { SagaTransition } from '../model/saga-transition';
import { auditLine, finishCompensation } from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { CommandPhase } from '../transport/message-envelope';
import { ChoreographyStepSpec } from '../definition/choreography-spec';
import { ChoreographyDefinition } from './choreography-definition';
import { PublishEnvironment, publishEvent } from './choreography-messages';
import { ChoreographyAwaited } from './choreography-awaited';

/** Steps whose work took effect, or may have, and is not undone yet. */
export const TO_UNDO: readonly StepStatus[] = [
  StepStatus.RUNNING,
  StepStatus.CANCELLED,
  StepStatus.COMPLETED,
  StepStatus.TIMED_OUT,
  StepStatus.COMPENSATING,
];

/** Steps whose participant reported the end of their undo, done or given up. */
export const UNDO_REPORTED: readonly StepStatus[] = [
  StepStatus.COMPENSATED,
  StepStatus.COMPENSATION_FAILED,
];

/** What the undo chain needs beside publishing: the clock's randomness for the backoff. */
export type UndoChainEnvironment = PublishEnvironment & { random(): number };

/**
 * The compensating half of a choreographed saga, with no I/O. The participants undo their
 * steps among themselves, from the last one that took effect back to the first, each reacting
 * to the report of the one after it (the steps of a parallel group together, and the step
 * before a group once every step of it has reported); the tracker follows the chain one group
 * at a time and keeps a deadline on each undo it waits for. When a deadline passes (an event
 * of the chain was lost, dead-lettered, or never published), it asks that step's participant
 * for its undo with the step's undo request event, again and again with backoff (the step's
 * `compensationRetry`). When the tries run out, the step is `COMPENSATION_FAILED` and, once
 * the other steps of its group have reported, the tracker asks the steps before it for their
 * undo itself, since the events that would have triggered them will never come: the saga
 * ends `COMPENSATION_FAILED`, naming the step, as an orchestrated saga does.
 */
export class ChoreographyUndoChain<Data> {
  constructor(
    private readonly definition: ChoreographyDefinition<Data>,
    private readonly env: UndoChainEnvironment,
  ) {}

  /**
   * A step failed, timed out or was cancelled: the chain starts at step `top` (the last of a
   * refused one's group, whose other steps undo on its failure, or the last step when a cancel
   * event went out) and runs down to 0.
   */
  begin(t: SagaTransition<Data>, top: number): void {
    this.awaitBelow(t, top + 1, false);
  }

  /** Step `stepIndex`'s participant reported its undo (`COMPENSATED`) or gave it up. */
  reported(
    t: SagaTransition<Data>,
    stepIndex: number,
    status: StepStatus,
    reason: string | undefined,
  ): void {
    const step = t.instance.steps[stepIndex];
    const undone = status === StepStatus.COMPENSATED;
    if (
      TO_UNDO.includes(step.status) ||
      // A late undo of a step the tracker had given up on: it did happen after all.
      (undone && step.status === StepStatus.COMPENSATION_FAILED) ||
      (!undone && step.status === StepStatus.PENDING)
    ) {
      const attempts = Math.max(1, step.compensationAttempts);
      step.status = status;
      step.endedAt = t.instance.updatedAt;
      if (undone) {
        t.audit.push(auditLine(t, AuditType.STEP_COMPENSATED, step.name, { attempts }));
      } else {
        step.lastError = reason ?? 'compensation failed';
        t.audit.push(
          auditLine(t, AuditType.STEP_COMPENSATION_FAILED, step.name, { attempts, reason }),
        );
      }
    } else if (step.status === StepStatus.PENDING) {
      // The undo chain passed a step that never ran: there was nothing to undo.
      step.status = StepStatus.SKIPPED;
    }
    // An undo reported ahead of the failure that caused it waits for that failure.
    if (!t.instance.compensating) return;
    const waited = t.instance.awaiting.length === 0 || ChoreographyAwaited.settle(t, stepIndex);
    if (!waited) {
      this.finishIfUndone(t);
    } else if (t.instance.awaiting.length === 0) {
      // The participant before this step's group reacts to the group's reports: wait for it.
      this.awaitBelowGroupOf(t, stepIndex);
    }
  }

  /** The deadline of the awaited undo passed, or the backoff before the next try ended. */
  onTimer(t: SagaTransition<Data>, awaiting: AwaitedReply): void {
    const { stepIndex, attempt } = awaiting;
    if (awaiting.kind === 'backoff') {
      this.request(t, stepIndex, attempt);
      return;
    }
    const spec = this.definition.spec.steps[stepIndex];
    const step = t.instance.steps[stepIndex];
    const reason = noUndoWithin(spec);
    step.lastError = reason;
    t.audit.push(
      auditLine(t, AuditType.COMPENSATION_ATTEMPT_FAILED, spec.name, { attempt, reason }),
    );
    const policy = spec.compensationRetry;
    if (attempt < policy.maxAttempts) {
      const delayMs = retryDelayMs(policy, attempt, this.env.random);
      ChoreographyAwaited.wait(t, this.awaited('backoff', stepIndex, attempt + 1, ''), delayMs);
      t.audit.push(
        auditLine(t, AuditType.COMPENSATION_RETRY_SCHEDULED, spec.name, {
          nextAttempt: attempt + 1,
          delayMs,
        }),
      );
      return;
    }
    step.status = StepStatus.COMPENSATION_FAILED;
    step.endedAt = t.instance.updatedAt;
    t.audit.push(
      auditLine(t, AuditType.STEP_COMPENSATION_FAILED, spec.name, { attempts: attempt, reason }),
    );
    // The report that would have set off the steps before this one will never come; the
    // other steps of its group still may report, and those before wait for them first.
    ChoreographyAwaited.settle(t, stepIndex);
    if (t.instance.awaiting.length === 0) this.awaitBelowGroupOf(t, stepIndex);
  }

  /** An operator retries the undos that failed: each is asked for again, the highest first. */
  retry(t: SagaTransition<Data>): void {
    const steps = t.instance.steps;
    for (const step of steps) {
      if (step.status !== StepStatus.COMPENSATION_FAILED) continue;
      step.status = StepStatus.COMPENSATING;
      step.endedAt = null;
    }
    this.awaitBelow(t, steps.length, true);
  }

  /**
   * Waits for the undo of the highest step below `below` that has not reported one yet, and
   * of the steps of its parallel group below it that have not either (their participants are
   * set off by the reports above them), or asks for them at once when nothing will set them
   * off; ends the saga when no step is left to undo.
   */
  private awaitBelow(t: SagaTransition<Data>, below: number, request: boolean): void {
    const steps = t.instance.steps;
    t.instance.awaiting = [];
    for (let i = below - 1; i >= 0; i--) {
      if (!unreported(steps[i])) continue;
      const { first } = parallelGroupOf(this.definition.spec.steps, i);
      for (let k = first; k <= i; k++) {
        if (!unreported(steps[k])) continue;
        if (request) this.request(t, k, 1);
        else this.wait(t, k, 1, '');
      }
      return;
    }
    // Only a step above `below` can be left: one reported out of order, say; ask for it.
    for (let i = steps.length - 1; i >= below; i--) {
      if (!TO_UNDO.includes(steps[i].status)) continue;
      this.request(t, i, 1);
      return;
    }
    finishCompensation(t);
  }

  /**
   * Every step of step `stepIndex`'s group has reported its undo, or been given up on: the
   * chain goes on below the group. The participant before a group undoes once all of its
   * steps have reported, so if the tracker gave up on one of them (this one, just now, or
   * another earlier), that participant will never be set off: the tracker asks for its undo.
   */
  private awaitBelowGroupOf(t: SagaTransition<Data>, stepIndex: number): void {
    const specs = this.definition.spec.steps;
    const { first, last } = parallelGroupOf(specs, stepIndex);
    const givenUp = t.instance.steps
      .slice(first, last + 1)
      .some((s, k) => gaveUp(s, specs[first + k]));
    this.awaitBelow(t, first, givenUp);
  }

  private finishIfUndone(t: SagaTransition<Data>): void {
    if (t.instance.steps.some((s) => TO_UNDO.includes(s.status))) return;
    finishCompensation(t);
  }

  /** Publishes step `stepIndex`'s undo request (try `attempt`) and waits for its answer. */
  private request(t: SagaTransition<Data>, stepIndex: number, attempt: number): void {
    const spec = this.definition.spec.steps[stepIndex];
    const reason = t.instance.failureReason ?? 'compensation requested';
    const payload = this.definition.handlers.cancelPayload(t.instance.data, reason);
    const message = publishEvent(t, this.env, spec.compensationRequested, payload);
    t.audit.push(
      auditLine(t, AuditType.COMPENSATION_REQUESTED, spec.name, {
        event: message.type,
        attempt,
        messageId: message.messageId,
        payload,
      }),
    );
    this.wait(t, stepIndex, attempt, message.messageId);
  }

  private wait(t: SagaTransition<Data>, stepIndex: number, attempt: number, id: string): void {
    t.instance.steps[stepIndex].compensationAttempts = attempt;
    const timeoutMs = this.definition.spec.steps[stepIndex].timeoutMs;
    ChoreographyAwaited.wait(t, this.awaited('reply', stepIndex, attempt, id), timeoutMs);
  }

  private awaited(
    kind: AwaitedReply['kind'],
    stepIndex: number,
    attempt: number,
    commandId: string,
  ): AwaitedReply {
    return { kind, stepIndex, phase: CommandPhase.COMPENSATION, attempt, commandId };
  }
}

/** A step of the chain whose undo report has not come: it may hold work, or never ran. */
function unreported(step: StepState): boolean {
  return TO_UNDO.includes(step.status) || step.status === StepStatus.PENDING;
}

/** Why the tracker counts an undo try as failed: its deadline passed with no report. */
function noUndoWithin(spec: ChoreographyStepSpec): string {
  return `no undo within ${spec.timeoutMs} ms`;
}

/**
 * Whether the tracker gave the step's undo up itself, no report of it having come: a report
 * marks the step undone, or writes the participant's reason over the tracker's.
 */
function gaveUp(step: StepState, spec: ChoreographyStepSpec): boolean {
  return step.status === StepStatus.COMPENSATION_FAILED && step.lastError === noUndoWithin(spec);
}
