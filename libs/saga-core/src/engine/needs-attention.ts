import { SagaEngine } from './saga-engine';
import { SagaInstance } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';

export interface AttentionQuery {
  /** A running saga unchanged this long is stuck. */
  stuckSeconds: number;
  limit: number;
}

/** Why a saga is on the operator's attention list, and what an operator can do about it. */
export const AttentionReason = {
  /** A compensation failed every retry: fix its cause, then `retry-compensation`. */
  COMPENSATION_FAILED: 'COMPENSATION_FAILED',
  /** Its timer threw on every try and is parked: fix the cause, then `retry-timer`. */
  TIMER_PARKED: 'TIMER_PARKED',
  /** PENDING with no change for longer than `stuckSeconds`: look at its audit log, or `cancel`. */
  STUCK: 'STUCK',
} as const;
export type AttentionReason = (typeof AttentionReason)[keyof typeof AttentionReason];

const ACTIONS: Record<AttentionReason, string> = {
  COMPENSATION_FAILED: 'retry-compensation',
  TIMER_PARKED: 'retry-timer',
  STUCK: 'cancel',
};

/** Why one saga needs an operator. */
export interface Attention {
  reason: AttentionReason;
  /** Since when it has been so. */
  since: Date;
  detail: string | null;
  /** The operator action that addresses it. */
  action: string;
}

export interface SagaNeedingAttention {
  saga: SagaInstance;
  attention: Attention;
}

/**
 * The sagas an operator must look at, each once and with its reason: COMPENSATION_FAILED
 * first, then those whose timer is parked, then those PENDING and unchanged for
 * `stuckSeconds` (a participant that never answers, a timer that cannot fire).
 */
export async function needsAttention(
  engine: SagaEngine,
  query: AttentionQuery,
): Promise<SagaNeedingAttention[]> {
  const { limit } = query;
  const stuckSince = new Date(Date.now() - query.stuckSeconds * 1000);
  const [failed, parked, stuck] = await Promise.all([
    engine.list({ status: SagaStatus.COMPENSATION_FAILED, limit }),
    engine.list({ timerParked: true, limit }),
    engine.list({ status: SagaStatus.PENDING, updatedBefore: stuckSince, limit }),
  ]);
  const timers = new Map(
    (await engine.parkedTimers(parked.map((s) => s.id))).map((t) => [t.sagaId, t]),
  );
  const seen = new Set<string>();
  const found: SagaNeedingAttention[] = [];
  const add = (saga: SagaInstance, reason: AttentionReason, since: Date, detail: string | null) => {
    if (seen.has(saga.id)) return;
    seen.add(saga.id);
    found.push({ saga, attention: { reason, since, detail, action: ACTIONS[reason] } });
  };
  for (const saga of failed) add(saga, 'COMPENSATION_FAILED', saga.updatedAt, saga.failureReason);
  for (const saga of parked) {
    const timer = timers.get(saga.id);
    if (!timer) continue;
    const detail = `timer ${timer.key} failed ${timer.attempts} tries: ${timer.lastError ?? ''}`;
    add(saga, 'TIMER_PARKED', timer.parkedAt, detail);
  }
  for (const saga of stuck) add(saga, 'STUCK', saga.updatedAt, 'PENDING with no change since');
  return found.slice(0, limit);
}
