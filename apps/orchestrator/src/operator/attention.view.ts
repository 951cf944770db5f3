import { SagaEngine, SagaInstance, SagaStatus } from '@app/saga-core';
import { BookingView, toBookingView } from '../booking/booking.view';

/** Why a booking is on the operator's attention list, and what an operator can do about it. */
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

/** A booking as `GET /operator/attention` lists it: the booking, and why it is there. */
export interface AttentionView extends BookingView {
  attention: {
    reason: AttentionReason;
    /** Since when it has been so. */
    since: string;
    detail: string | null;
    /** The operator action that addresses it: `POST /bookings/:id/<action>`. */
    action: string;
  };
}

/**
 * The bookings that need an operator, each once and with its reason: COMPENSATION_FAILED
 * first, then those whose timer is parked, then those PENDING and unchanged since `stuckSince`.
 */
export async function listAttention(
  engine: SagaEngine,
  stuckSince: Date,
  limit: number,
): Promise<AttentionView[]> {
  const [failed, parked, stuck] = await Promise.all([
    engine.list({ status: SagaStatus.COMPENSATION_FAILED, limit }),
    engine.list({ timerParked: true, limit }),
    engine.list({ status: SagaStatus.PENDING, updatedBefore: stuckSince, limit }),
  ]);
  const timers = new Map(
    (await engine.parkedTimers(parked.map((s) => s.id))).map((t) => [t.sagaId, t]),
  );
  const seen = new Set<string>();
  const views: AttentionView[] = [];
  const add = (saga: SagaInstance, reason: AttentionReason, since: Date, detail: string | null) => {
    if (seen.has(saga.id)) return;
    seen.add(saga.id);
    views.push({
      ...toBookingView(saga),
      attention: { reason, since: since.toISOString(), detail, action: ACTIONS[reason] },
    });
  };
  for (const saga of failed) add(saga, 'COMPENSATION_FAILED', saga.updatedAt, saga.failureReason);
  for (const saga of parked) {
    const timer = timers.get(saga.id);
    if (!timer) continue;
    const detail = `timer ${timer.key} failed ${timer.attempts} tries: ${timer.lastError ?? ''}`;
    add(saga, 'TIMER_PARKED', timer.parkedAt, detail);
  }
  for (const saga of stuck) add(saga, 'STUCK', saga.updatedAt, 'PENDING with no change since');
  return views.slice(0, limit);
}
