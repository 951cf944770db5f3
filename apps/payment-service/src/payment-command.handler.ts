import { Injectable } from '@nestjs/common';
import { CommandContext, CommandHandler, validatePayload } from '@app/saga-core';
import {
  PaymentCharged,
  PaymentEndpoints,
  runTripCompensation,
  runTripStep,
  TripCommandDto,
} from '@app/trip-api';
import { ChargePaymentDto } from './dto/charge-payment.dto';
import { PaymentService } from './payment.service';

/** The saga's commands to this service: validate, apply the booking's fault, delegate. */
@Injectable()
export class PaymentCommandHandler {
  constructor(private readonly payments: PaymentService) {}

  @CommandHandler(PaymentEndpoints.charge)
  charge(payload: unknown, ctx: CommandContext): Promise<PaymentCharged> {
    const command = validatePayload(ChargePaymentDto, payload);
    return runTripStep('payment', command.fault, ctx, () =>
      this.payments.charge(ctx.manager, command),
    );
  }

  @CommandHandler(PaymentEndpoints.refund)
  refund(payload: unknown, ctx: CommandContext): Promise<void> {
    const command = validatePayload(TripCommandDto, payload);
    return runTripCompensation('payment', command.fault, () =>
      this.payments.refund(ctx.manager, command.bookingId),
    );
  }
}
