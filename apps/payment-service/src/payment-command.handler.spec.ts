import { RetryableStepError, TerminalStepError, CommandContext } from '@app/saga-core';
import { TripErrorCode } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { PaymentCommandHandler } from './payment-command.handler';
import { PaymentRefusedError } from './payment-refused.error';
import { PaymentService } from './payment.service';

function context(): CommandContext & { suppressReply: jest.Mock } {
  return {
    sagaId: 's-1',
    messageId: 'm-1',
    step: 'payment',
    phase: 'forward',
    attempt: 1,
    manager: {} as EntityManager,
    suppressReply: jest.fn(),
  };
}

describe('PaymentCommandHandler', () => {
  const charged = { customerId: 'cust-1', amount: 740 };
  const charge = { bookingId: 'b-1', customerId: 'cust-1', amount: 740 };
  let payments: { charge: jest.Mock; refund: jest.Mock };
  let handler: PaymentCommandHandler;

  beforeEach(() => {
    payments = { charge: jest.fn().mockResolvedValue(charged), refund: jest.fn() };
    handler = new PaymentCommandHandler(payments as unknown as PaymentService);
  });

  it('charges and answers with the payment', async () => {
    const ctx = context();
    await expect(handler.charge(charge, ctx)).resolves.toEqual(charged);
    expect(payments.charge).toHaveBeenCalledWith(ctx.manager, expect.objectContaining(charge));
  });

  it('refuses an injected failure before charging', async () => {
    await expect(handler.charge({ ...charge, fault: 'fail' }, context())).rejects.toMatchObject({
      code: TripErrorCode.INJECTED_FAILURE,
    });
    expect(payments.charge).not.toHaveBeenCalled();
  });

  it('charges on an injected timeout but suppresses the reply', async () => {
    const ctx = context();
    await handler.charge({ ...charge, fault: 'timeout' }, ctx);
    expect(payments.charge).toHaveBeenCalled();
    expect(ctx.suppressReply).toHaveBeenCalled();
  });

  it('turns insufficient funds into a terminal step error', async () => {
    payments.charge.mockRejectedValue(
      new PaymentRefusedError(TripErrorCode.INSUFFICIENT_FUNDS, 'poor'),
    );
    await expect(handler.charge(charge, context())).rejects.toEqual(
      new TerminalStepError(TripErrorCode.INSUFFICIENT_FUNDS, 'poor'),
    );
  });

  it('refuses a negative amount without charging', async () => {
    await expect(handler.charge({ ...charge, amount: -5 }, context())).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
    });
    expect(payments.charge).not.toHaveBeenCalled();
  });

  it('refunds', async () => {
    const ctx = context();
    await handler.refund({ bookingId: 'b-1' }, ctx);
    expect(payments.refund).toHaveBeenCalledWith(ctx.manager, 'b-1');
  });

  it('fails an injected refund failure as retryable, without refunding', async () => {
    await expect(
      handler.refund({ bookingId: 'b-1', fault: 'fail-compensation' }, context()),
    ).rejects.toEqual(
      new RetryableStepError(
        TripErrorCode.INJECTED_COMPENSATION_FAILURE,
        'Injected failure of the refund',
      ),
    );
    expect(payments.refund).not.toHaveBeenCalled();
  });
});
