import { Injectable } from '@nestjs/common';
import {
  RetryableStepError,
  TerminalStepError,
  CommandContext,
  CommandHandler,
  validatePayload,
} from '@app/saga-core';
import { PaymentCharged, PaymentEndpoints, TripErrorCode, TripFault } from '@app/trip-api';
import { ChargePaymentDto } from './dto/charge-payment.dto';
import { RefundPaymentDto } from './dto/refund-payment.dto';
import { PaymentRefusedError } from './payment-refused.error';
import { PaymentService } from './payment.service';

/** The saga's commands to this service: validate, inject the booking's fault, delegate. */
@Injectable()
export class PaymentCommandHandler {
  constructor(private readonly payments: PaymentService) {}

  @CommandHandler(PaymentEndpoints.charge)
  async charge(payload: unknown, ctx: CommandContext): Promise<PaymentCharged> {
    const command = validatePayload(ChargePaymentDto, payload);
    if (command.fault === TripFault.FAIL) {
      throw new TerminalStepError(
        TripErrorCode.INJECTED_FAILURE,
        'Injected failure of the payment',
      );
    }
    const charged = await this.refusalsAsStepErrors(() =>
      this.payments.charge(ctx.manager, command),
    );
    if (command.fault === TripFault.TIMEOUT) ctx.suppressReply();
    return charged;
  }

  @CommandHandler(PaymentEndpoints.refund)
  async refund(payload: unknown, ctx: CommandContext): Promise<void> {
    const command = validatePayload(RefundPaymentDto, payload);
    if (command.fault === TripFault.FAIL_COMPENSATION) {
      throw new RetryableStepError(
        TripErrorCode.INJECTED_COMPENSATION_FAILURE,
        'Injected failure of the refund',
      );
    }
    await this.payments.refund(ctx.manager, command.bookingId);
  }

  private async refusalsAsStepErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PaymentRefusedError) {
        throw new TerminalStepError(error.code, error.message);
      }
      throw error;
    }
  }
}
