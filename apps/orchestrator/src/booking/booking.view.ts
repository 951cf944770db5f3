import { AuditEntry, SagaInstance, StepView, toStepView, visibleSteps } from '@app/saga-core';

/** A booking as `GET /bookings/:id` shows it. */
export interface BookingView {
  bookingId: string;
  mode: string;
  status: string;
  steps: StepView[];
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
    steps: visibleSteps(saga).map(toStepView),
    failureReason: saga.failureReason,
    createdAt: saga.createdAt.toISOString(),
    updatedAt: saga.updatedAt.toISOString(),
  };
}

export function toAuditView(entry: AuditEntry): AuditView {
  return { at: entry.at.toISOString(), type: entry.type, step: entry.step, detail: entry.detail };
}
