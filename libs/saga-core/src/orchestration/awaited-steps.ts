import { AuditType } from '../model/audit-entry';
import { AwaitedReply, SagaInstance, SagaTimer } from '../model/saga-instance';
import { timerKey } from '../model/saga-machine';
import { SagaTransition } from '../model/saga-transition';
import { auditLine } from '../model/saga-transition.helpers';
import { StepStatus } from '../model/step-status';
import { CommandPhase, ReplyMessage } from '../transport/message-envelope';

/**
 * What an orchestrated saga waits for, one entry per step that has a command out or a retry
 * due: one at a time, except while the steps of a parallel group are out. The saga keeps one
 * timer, on the entry that is due first.
 */
export const AwaitedSteps = {
  /** The entry a reply answers: same command, step and phase. */
  answeredBy(instance: SagaInstance<unknown>, reply: ReplyMessage): AwaitedReply | undefined {
    return instance.awaiting.find(
      (a) =>
        a.kind === 'reply' &&
        a.commandId === reply.inReplyTo &&
        a.stepIndex === reply.stepIndex &&
        a.phase === reply.phase,
    );
  },

  /** The entry a timer is for; none when the timer is stale (the saga moved on). */
  firedBy(instance: SagaInstance<unknown>, timer: SagaTimer): AwaitedReply | undefined {
    return instance.awaiting.find((a) => timerKey(a) === timer.key);
  },

  /** Waits for `entry`, in place of whatever the saga waited for from the same step. */
  wait(t: SagaTransition<unknown>, entry: AwaitedReply): void {
    AwaitedSteps.settle(t, entry.stepIndex);
    t.instance.awaiting.push(entry);
  },

  /** Stops waiting for anything from step `stepIndex`. */
  settle(t: SagaTransition<unknown>, stepIndex: number): void {
    t.instance.awaiting = t.instance.awaiting.filter((a) => a.stepIndex !== stepIndex);
  },

  /** The forward steps still out (a reply or a retry due). */
  forwardOut(instance: SagaInstance<unknown>): AwaitedReply[] {
    return instance.awaiting.filter((a) => a.phase === CommandPhase.FORWARD);
  },

  /** The steps of a failed one's group that wait to be tried again fail as they stand. */
  abandonRetries(t: SagaTransition<unknown>): void {
    for (const waiting of AwaitedSteps.forwardOut(t.instance)) {
      if (waiting.kind !== 'backoff') continue;
      const step = t.instance.steps[waiting.stepIndex];
      step.status = StepStatus.FAILED;
      step.endedAt = t.instance.updatedAt;
      AwaitedSteps.settle(t, waiting.stepIndex);
      t.audit.push(
        auditLine(t, AuditType.STEP_FAILED, step.name, {
          reason: step.lastError,
          attempts: step.attempts,
          notRetried: 'the saga is compensating',
        }),
      );
    }
  },

  /**
   * The saga's one timer: on the entry due first, or none when it waits for nothing.
   * Undefined (the stored timer stays) for an entry written before entries had their time.
   */
  timerOf(instance: SagaInstance<unknown>): SagaTimer | null | undefined {
    let first: AwaitedReply | null = null;
    for (const a of instance.awaiting) {
      if (a.fireAt === undefined) return undefined;
      if (!first || Date.parse(a.fireAt) < Date.parse(first.fireAt as string)) first = a;
    }
    if (!first) return null;
    return { sagaId: instance.id, fireAt: new Date(first.fireAt as string), key: timerKey(first) };
  },
};
