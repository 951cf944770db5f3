import { AttentionReason, SagaNeedingAttention } from '@app/saga-core';
import { BookingView, toBookingView } from '../booking/booking.view';

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

export function toAttentionView({ saga, attention }: SagaNeedingAttention): AttentionView {
  return {
    ...toBookingView(saga),
    attention: { ...attention, since: attention.since.toISOString() },
  };
}
