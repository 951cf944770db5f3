import { AuditEntry, SagaInstance } from '@app/saga-core';

/** A booking as `GET /bookings/:id` shows it. */
export interface BookingView {
  bookingId: string;
  mode: string;
  status: string;
  steps: {
    name: string;
    status: string;
    attempts: number;
    compensationAttempts: number;
    startedAt: string | null;
    endedAt: string | null;
    lastError: string | null;
  }[];
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AuditView {
  at: string;
  type: string;
  step: string | null;
  detail: Record<string, unknown>;
}

export function toBookingView(saga: SagaInstance): BookingView {
  return {
    bookingId: saga.id,
    mode: saga.labels.mode ?? 'orchestrated',
    status: saga.status,
    steps: saga.steps.map((s) => ({
      name: s.name,
      status: s.status,
      attempts: s.attempts,
      compensationAttempts: s.compensationAttempts,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      lastError: s.lastError,
    })),
    failureReason: saga.failureReason,
    createdAt: saga.createdAt.toISOString(),
    updatedAt: saga.updatedAt.toISOString(),
  };
}

export function toAuditView(entry: AuditEntry): AuditView {
  return { at: entry.at.toISOString(), type: entry.type, step: entry.step, detail: entry.detail };
}
