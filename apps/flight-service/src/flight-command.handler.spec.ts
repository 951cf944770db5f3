import { RetryableStepError, TerminalStepError, CommandContext } from '@app/saga-core';
import { TripErrorCode } from '@app/trip-api';
import { EntityManager } from 'typeorm';
import { FlightCommandHandler } from './flight-command.handler';
import { FlightRefusedError } from './flight-refused.error';
import { FlightReservationService } from './flight-reservation.service';

function context(): CommandContext & { suppressReply: jest.Mock } {
  return {
    sagaId: 's-1',
    messageId: 'm-1',
    step: 'flight',
    phase: 'forward',
    attempt: 1,
    manager: {} as EntityManager,
    suppressReply: jest.fn(),
  };
}

describe('FlightCommandHandler', () => {
  const reserved = { flightId: 'FL-100', seats: 2, price: 500 };
  let reservations: { reserve: jest.Mock; cancel: jest.Mock };
  let handler: FlightCommandHandler;

  beforeEach(() => {
    reservations = { reserve: jest.fn().mockResolvedValue(reserved), cancel: jest.fn() };
    handler = new FlightCommandHandler(reservations as unknown as FlightReservationService);
  });

  const reserve = { bookingId: 'b-1', flightId: 'FL-100', seats: 2 };

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
      new TerminalStepError(TripErrorCode.INJECTED_FAILURE, 'Injected failure of the flight'),
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
    reservations.reserve.mockRejectedValue(new FlightRefusedError(TripErrorCode.SOLD_OUT, 'full'));
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
    await expect(handler.reserve({ bookingId: 'b-1', seats: -1 }, context())).rejects.toMatchObject(
      { code: 'INVALID_PAYLOAD' },
    );
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
