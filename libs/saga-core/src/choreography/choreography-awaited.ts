import { AwaitedReply, SagaInstance, SagaTimer } from '../model/saga-instance';
import { StepStatus } from '../model/step-status';
import { CommandPhase } from '../transport/message-envelope';
import { timerKey } from '../model/saga-machine';
import { SagaTransition } from '../model/saga-transition';

/**
 * What a choreographed saga waits for: one entry per step whose outcome or undo it expects,
 * several while the steps of a parallel group are out, each with its own deadline. The saga
 * keeps one timer, on the entry due first.
 */
export const ChoreographyAwaited = {
  /** Waits for `entry` (due `delayMs` from now), in place of anything from the same step. */
  wait(t: SagaTransition<unknown>, entry: Omit<AwaitedReply, 'fireAt'>, delayMs: number): void {
    const fireAt = new Date(t.instance.updatedAt.getTime() + delayMs).toISOString();
    const rest = t.instance.awaiting.filter((a) => a.stepIndex !== entry.stepIndex);
    t.instance.awaiting = [...rest, { ...entry, fireAt }].sort((a, b) => a.stepIndex - b.stepIndex);
    ChoreographyAwaited.retime(t);
  },

  /**
   * The saga now also waits for step `stepIndex`'s outcome, `timeoutMs` from now; a step that
   * already runs (its event overtook its group's) keeps its start.
   */
  outcome(t: SagaTransition<unknown>, stepIndex: number, timeoutMs: number): void {
    const step = t.instance.steps[stepIndex];
    if (step.status !== StepStatus.RUNNING) {
      step.status = StepStatus.RUNNING;
      step.attempts = 1;
      step.startedAt = t.instance.updatedAt;
    }
    const entry = { kind: 'reply' as const, stepIndex, phase: CommandPhase.FORWARD, attempt: 1 };
    ChoreographyAwaited.wait(t, { ...entry, commandId: '' }, timeoutMs);
  },

  /** The lowest step the saga waits for: the first of the group that is out, if any. */
  lowest(instance: Pick<SagaInstance<unknown>, 'awaiting'>): number | undefined {
    const indexes = instance.awaiting.map((a) => a.stepIndex);
    return indexes.length > 0 ? Math.min(...indexes) : undefined;
  },

  /** Whether the saga waits for something from step `stepIndex`. */
  has(instance: SagaInstance<unknown>, stepIndex: number): boolean {
    return instance.awaiting.some((a) => a.stepIndex === stepIndex);
  },

  /** Stops waiting for step `stepIndex`; true if the saga waited for it. */
  settle(t: SagaTransition<unknown>, stepIndex: number): boolean {
    const before = t.instance.awaiting.length;
    t.instance.awaiting = t.instance.awaiting.filter((a) => a.stepIndex !== stepIndex);
    if (t.instance.awaiting.length === before) return false;
    ChoreographyAwaited.retime(t);
    return true;
  },

  /** Stops waiting for the steps `still` says are no longer out. */
  keep(t: SagaTransition<unknown>, still: (entry: AwaitedReply) => boolean): void {
    t.instance.awaiting = t.instance.awaiting.filter(still);
    ChoreographyAwaited.retime(t);
  },

  /** The entry a timer is for; none when the timer is stale (the saga moved on). */
  firedBy(instance: SagaInstance<unknown>, timer: SagaTimer): AwaitedReply | undefined {
    return instance.awaiting.find((a) => timerKey(a) === timer.key);
  },

  /**
   * Sets the saga's one timer on the entry due first, or clears it. An entry stored before
   * entries had their time (one at a time, then) keeps the timer that was stored with it.
   */
  retime(t: SagaTransition<unknown>): void {
    let first: AwaitedReply | null = null;
    for (const a of t.instance.awaiting) {
      if (a.fireAt === undefined) return;
      if (!first || Date.parse(a.fireAt) < Date.parse(first.fireAt as string)) first = a;
    }
    t.timer = first
      ? { sagaId: t.instance.id, fireAt: new Date(first.fireAt as string), key: timerKey(first) }
      : null;
  },
};
