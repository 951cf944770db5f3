import { RetryableStepError, TerminalStepError, CommandContext } from '@app/saga-core';
import { TripErrorCode } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { HotelCommandHandler } from './hotel-command.handler';
import { HotelRefusedError } from './hotel-refused.error';
import { HotelReservationService } from './hotel-reservation.service';

function context(): CommandContext & { suppressReply: jest.Mock } {
  return {
    sagaId: 's-1',
    messageId: 'm-1',
    step: 'hotel',
    phase: 'forward',
    attempt: 1,
    manager: {} as EntityManager,
    suppressReply: jest.fn(),
  };
}

describe('HotelCommandHandler', () => {
  const reserved = { hotelId: 'HT-200', rooms: 1, nights: 2, price: 240 };
  let reservations: { reserve: jest.Mock; cancel: jest.Mock };
  let handler: HotelCommandHandler;

  beforeEach(() => {
    reservations = { reserve: jest.fn().mockResolvedValue(reserved), cancel: jest.fn() };
    handler = new HotelCommandHandler(reservations as unknown as HotelReservationService);
  });

  const reserve = { bookingId: 'b-1', hotelId: 'HT-200', rooms: 1, nights: 2 };

  it('reserves and answers with the reservation', async () => {
    const ctx = context();
    await expect(handler.reserve(reserve, ctx)).resolves.toEqual(reserved);
    expect(reservations.reserve).toHaveBeenCalledWith(
      ctx.manager,
      expect.objectContaining(reserve),
    );
    expect(ctx.suppressReply).not.toHaveBeenCalled();
  });

  it('refuses an injected failure before touching anything', async () => {
    await expect(handler.reserve({ ...reserve, fault: 'fail' }, context())).rejects.toEqual(
      new TerminalStepError(TripErrorCode.INJECTED_FAILURE, 'Injected failure of the hotel'),
    );
    expect(reservations.reserve).not.toHaveBeenCalled();
  });

  it('does the work of an injected timeout but suppresses the reply', async () => {
    const ctx = context();
    await expect(handler.reserve({ ...reserve, fault: 'timeout' }, ctx)).resolves.toEqual(reserved);
    expect(reservations.reserve).toHaveBeenCalled();
    expect(ctx.suppressReply).toHaveBeenCalled();
  });

  it('turns a domain refusal into a terminal step error with its code', async () => {
    reservations.reserve.mockRejectedValue(new HotelRefusedError(TripErrorCode.SOLD_OUT, 'full'));
    await expect(handler.reserve(reserve, context())).rejects.toEqual(
      new TerminalStepError(TripErrorCode.SOLD_OUT, 'full'),
    );
  });

  it('lets any other error through, so the command is retried', async () => {
    const outage = new Error('connection terminated');
    reservations.reserve.mockRejectedValue(outage);
    await expect(handler.reserve(reserve, context())).rejects.toBe(outage);
  });

  it('refuses a malformed payload without touching anything', async () => {
    await expect(
      handler.reserve({ bookingId: 'b-1', hotelId: 'HT-200', rooms: 1, nights: 0 }, context()),
    ).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(reservations.reserve).not.toHaveBeenCalled();
  });

  it('cancels, ignoring forward-step faults', async () => {
    const ctx = context();
    await handler.cancel({ bookingId: 'b-1', fault: 'timeout' }, ctx);
    expect(reservations.cancel).toHaveBeenCalledWith(ctx.manager, 'b-1');
    expect(ctx.suppressReply).not.toHaveBeenCalled();
  });

  it('fails an injected compensation failure as retryable, without cancelling', async () => {
    await expect(
      handler.cancel({ bookingId: 'b-1', fault: 'fail-compensation' }, context()),
    ).rejects.toBeInstanceOf(RetryableStepError);
    expect(reservations.cancel).not.toHaveBeenCalled();
  });
});
