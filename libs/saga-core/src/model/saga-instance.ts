import { CommandPhase } from '../transport/message-envelope';
import { SagaStatus } from './saga-status';
import { StepStatus } from './step-status';

/** One step's state within one saga, with its attempts and timings. */
export interface StepState {
  name: string;
  status: StepStatus;
  attempts: number;
  compensationAttempts: number;
  startedAt: Date | null;
  endedAt: Date | null;
  lastError: string | null;
  /**
   * An attempt went unanswered (it timed out, then was retried): the participant may hold
   * that attempt's work whatever the later attempts answered, so the step is compensated.
   */
  mayHaveTakenEffect: boolean;
}

/**
 * One thing a running saga waits for: a reply to one command, or the end of one retry
 * backoff. A saga waits for one at a time, except while the steps of a parallel group are out
 * (one each). Orchestrated, compensations run one at a time; choreographed, the undos of a
 * group's steps are waited for together.
 */
export interface AwaitedReply {
  /** `reply`: a command is out; `backoff`: the next attempt is sent when the timer fires. */
  kind: 'reply' | 'backoff';
  stepIndex: number;
  phase: CommandPhase;
  /** The attempt that is out (reply) or that comes next (backoff). */
  attempt: number;
  /** The command's message id; a reply must name it in `inReplyTo`. Empty while backing off. */
  commandId: string;
  /**
   * When the reply is due or the backoff ends (ISO time), so that the saga's one timer can be
   * set on the earliest of several. Absent where the style keeps a single one.
   */
  fireAt?: string;
}

/** A saga instance, pinned to the definition version it started on. */
export interface SagaInstance<Data = unknown> {
  id: string;
  definitionName: string;
  definitionVersion: number;
  status: SagaStatus;
  /** True once a step failed: the saga is undoing, not advancing. */
  compensating: boolean;
  data: Data;
  steps: StepState[];
  /** What it waits for: empty once it has ended, more than one while parallel steps are out. */
  awaiting: AwaitedReply[];
  failureReason: string | null;
  /**
   * Free labels to filter by (e.g. the booking's mode); set at start. The engine adds
   * `traceparent`, the trace the saga started in, which its timers and operator actions continue.
   */
  labels: Record<string, string>;
  /** Caller's idempotency key: at most one saga per key. */
  startKey: string | null;
  /** Fingerprint of the start request, to tell a replay from a conflicting reuse of the key. */
  startFingerprint: string | null;
  /** Incremented by every transition; updates compare-and-set on it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The saga's only timer: a reply deadline or the end of a retry backoff, the earliest of
 * what it waits for.
 */
export interface SagaTimer {
  sagaId: string;
  fireAt: Date;
  /** What the timer is for; a timer whose key no longer matches the saga is stale. */
  key: string;
}

/** What a saga whose steps run one at a time waits for, or null when nothing. */
export function soleAwaited(instance: Pick<SagaInstance, 'awaiting'>): AwaitedReply | null {
  return instance.awaiting[0] ?? null;
}
