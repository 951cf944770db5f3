import {
  EventContext,
  EventEndpoint,
  GivingUp,
  RetryableStepError,
  TerminalStepError,
} from '@app/saga-core';
import { EntityManager } from 'typeorm';
import { TripBooking } from './trip-booking';
import { TripErrorCode, TripFault } from './trip-fault';
import { TripParticipant } from './trip-participants';
import { TripRefusedError } from './trip-refused.error';
import { reactCompensation, reactForward } from './trip-event.reactions';
import { TripEvents } from './trip.events';

interface Published {
  type: string;
  payload: TripBooking;
}

function context(
  deliveryCount = 1,
  injected: Error | null = null,
  givingUp: GivingUp | null = null,
): { ctx: EventContext; published: Published[] } {
  const published: Published[] = [];
  const ctx: EventContext = {
    event: {
      messageId: 'm-1',
      type: 'trip.any',
      correlationId: 'b-1',
      source: 'test',
      payload: null,
      occurredAt: '2024-01-01T00:00:00.000Z',
    },
    deliveryCount,
    manager: {} as EntityManager,
    givingUp,
    publish: <P>(endpoint: EventEndpoint<P>, payload: P) =>
      published.push({ type: endpoint.type, payload: payload as TripBooking }),
    raiseInjectedFault: () => {
      if (injected) throw injected;
    },
  };
  return { ctx, published };
}

function trip(faults: Partial<Record<TripParticipant, TripFault>> = {}): TripBooking {
  return {
    bookingId: 'b-1',
    customerId: 'cust-1',
    flight: { flightId: 'FL-100', seats: 2 },
    hotel: { hotelId: 'HT-200', nights: 2, rooms: 1 },
    faults,
  };
}

const hotelForward = {
  succeeded: TripEvents.hotelReserved,
  failed: TripEvents.hotelReservationFailed,
  enrich: (booking: TripBooking, price: number) => ({ ...booking, hotelPrice: price }),
};

const flightUndo = {
  done: TripEvents.flightCancelled,
  failed: TripEvents.flightCancellationFailed,
};

describe('reactForward', () => {
  it('announces the step with what it priced', async () => {
    const { ctx, published } = context();
    await reactForward('hotel', ctx, trip(), async () => 240, hotelForward);
    expect(published).toEqual([
      { type: 'trip.hotel.reserved', payload: { ...trip(), hotelPrice: 240 } },
    ]);
  });

  it('announces an injected failure without doing the work', async () => {
    const { ctx, published } = context();
    const work = jest.fn();
    await reactForward('hotel', ctx, trip({ hotel: 'fail' }), work, hotelForward);
    expect(work).not.toHaveBeenCalled();
    expect(published).toEqual([
      {
        type: 'trip.hotel.reservation-failed',
        payload: { ...trip({ hotel: 'fail' }), reason: 'Injected failure of the hotel' },
      },
    ]);
  });

  it('announces a business refusal as a failure, with its message as the reason', async () => {
    const { ctx, published } = context();
    const refuse = () => Promise.reject(new TripRefusedError(TripErrorCode.SOLD_OUT, 'full'));
    await reactForward('hotel', ctx, trip(), refuse, hotelForward);
    expect(published).toEqual([
      { type: 'trip.hotel.reservation-failed', payload: { ...trip(), reason: 'full' } },
    ]);
  });

  it('does the work of an injected timeout but announces nothing', async () => {
    const { ctx, published } = context();
    const work = jest.fn().mockResolvedValue(240);
    await reactForward('hotel', ctx, trip({ hotel: 'timeout' }), work, hotelForward);
    expect(work).toHaveBeenCalled();
    expect(published).toEqual([]);
  });

  it("ignores another participant's fault", async () => {
    const { ctx, published } = context();
    await reactForward('hotel', ctx, trip({ flight: 'fail' }), async () => 240, hotelForward);
    expect(published.map((p) => p.type)).toEqual(['trip.hotel.reserved']);
  });

  it('announces a runtime refuse rule as a failure, without doing the work', async () => {
    const { ctx, published } = context(1, new TerminalStepError('INJECTED_REFUSAL', 'refused'));
    const work = jest.fn();
    await reactForward('hotel', ctx, trip(), work, hotelForward);
    expect(work).not.toHaveBeenCalled();
    expect(published).toEqual([
      { type: 'trip.hotel.reservation-failed', payload: { ...trip(), reason: 'refused' } },
    ]);
  });

  it('lets a runtime fail rule through, so the event is delivered again', async () => {
    const transient = new RetryableStepError('INJECTED_TRANSIENT_FAILURE', 'down');
    const { ctx, published } = context(1, transient);
    const work = jest.fn();
    await expect(reactForward('hotel', ctx, trip(), work, hotelForward)).rejects.toBe(transient);
    expect(work).not.toHaveBeenCalled();
    expect(published).toEqual([]);
  });

  it('lets an outage through and announces nothing, so the event is delivered again', async () => {
    const { ctx, published } = context();
    const outage = new Error('connection terminated');
    await expect(
      reactForward('hotel', ctx, trip(), () => Promise.reject(outage), hotelForward),
    ).rejects.toBe(outage);
    expect(published).toEqual([]);
  });
});

describe('reactCompensation', () => {
  it('undoes the step and passes the booking on, reason included', async () => {
    const { ctx, published } = context();
    const work = jest.fn().mockResolvedValue(undefined);
    const undone = { ...trip(), reason: 'Injected failure of the hotel' };
    await reactCompensation('flight', ctx, undone, work, flightUndo);
    expect(work).toHaveBeenCalled();
    expect(published).toEqual([{ type: 'trip.flight.cancelled', payload: undone }]);
  });

  it('fails an injected compensation failure so the event is delivered again', async () => {
    const { ctx, published } = context(5);
    const work = jest.fn();
    await expect(
      reactCompensation('flight', ctx, trip({ flight: 'fail-compensation' }), work, flightUndo),
    ).rejects.toBeInstanceOf(RetryableStepError);
    expect(work).not.toHaveBeenCalled();
    expect(published).toEqual([]);
  });

  it('fails on a runtime rule or a refused undo like on any failed undo', async () => {
    const transient = new RetryableStepError('INJECTED_TRANSIENT_FAILURE', 'down');
    const work = jest.fn();
    const early = context(1, transient);
    await expect(reactCompensation('flight', early.ctx, trip(), work, flightUndo)).rejects.toBe(
      transient,
    );
    const refuse = () => Promise.reject(new TerminalStepError('NOPE', 'cannot undo'));
    const refused = context(1);
    await expect(
      reactCompensation('flight', refused.ctx, trip(), refuse, flightUndo),
    ).rejects.toBeInstanceOf(TerminalStepError);
    expect(work).not.toHaveBeenCalled();
    expect([...early.published, ...refused.published]).toEqual([]);
  });

  it('announces the failure with the last reason, without working, once the tries are spent', async () => {
    const booking = trip({ flight: 'fail-compensation' });
    const { ctx, published } = context(5, null, { reason: 'the last error', attempts: 5 });
    const work = jest.fn();
    await reactCompensation('flight', ctx, booking, work, flightUndo);
    expect(work).not.toHaveBeenCalled();
    expect(published).toEqual([
      {
        type: 'trip.flight.cancellation-failed',
        payload: { ...booking, reason: 'the last error' },
      },
    ]);
  });

  it('lets an outage through and announces nothing, whatever the delivery', async () => {
    const { ctx, published } = context(9);
    const outage = new Error('connection terminated');
    await expect(
      reactCompensation('flight', ctx, trip(), () => Promise.reject(outage), flightUndo),
    ).rejects.toBe(outage);
    expect(published).toEqual([]);
  });
});
