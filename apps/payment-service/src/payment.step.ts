import { Injectable } from '@nestjs/common';
import { SagaStepParticipant, StepContext } from '@app/saga-core';
import { RefundPayment, ChargePayment, PaymentCharged } from '@app/trip-api';
import { PaymentService } from './payment.service';

/**
 * The payment step of the trip, in both styles: the kit calls it for the saga's command and for
 * the choreography's event, in the message's local transaction.
 */
@Injectable()
export class PaymentStep implements SagaStepParticipant<
  ChargePayment,
  PaymentCharged,
  RefundPayment
> {
  constructor(private readonly payments: PaymentService) {}

  run(request: ChargePayment, ctx: StepContext): Promise<PaymentCharged> {
    return this.payments.charge(ctx.manager, request);
  }

  undo(request: RefundPayment, ctx: StepContext): Promise<void> {
    return this.payments.refund(ctx.manager, request.bookingId);
  }
}
