import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  ChoreographyDispatcher,
  EventEndpoint,
  EventMessage,
  stepFaultsHeaders,
  stepFaultsLabels,
} from '@app/saga-core';
import { deadLetterQueueOf } from '@app/saga-core/transport/message-transport';
import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { TRIP_EVENTS_EXCHANGE, TripBooking, TripEvents } from '@app/trip-api';
import { createFlightServiceApp } from '../../apps/flight-service/src/flight-service.app';
import { createHotelServiceApp } from '../../apps/hotel-service/src/hotel-service.app';
import { createPaymentServiceApp } from '../../apps/payment-service/src/payment-service.app';
import { TestDatabase, createTestDatabase } from '../support/postgres';
import { TestVhost, createTestVhost } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';
import { inboxHas, unsentOutboxRows } from './quiescence';

jest.setTimeout(60_000);

const PROBE_QUEUE = 'test.trip-probe';

type Faults = TripBooking['faults'];

describe('choreographed trip: the participants react to events alone', () => {
  let vhost: TestVhost;
  const databases: TestDatabase[] = [];
  const apps: INestApplication[] = [];
  let flight: INestApplication;
  let hotel: INestApplication;
  let payment: INestApplication;
  let broker: RabbitMqTransport;
  /** Each participant's inbox consumer, database and the event types it reacts to. */
  const reactors: { consumer: string; url: string; types: ReadonlySet<string> }[] = [];
  /** Every trip event, in the order the probe queue received them. */
  const seen: EventMessage<TripBooking>[] = [];
  let bookingSeq = 0;

  async function boot(
    prefix: string,
    create: typeof createFlightServiceApp,
  ): Promise<INestApplication> {
    const database = await createTestDatabase(prefix);
    databases.push(database);
    const env = { DATABASE_URL: database.url, AMQP_URL: vhost.url, PORT: '0' };
    const app = await create(env, { logger: ['error'] });
    apps.push(app);
    const types = app.get(ChoreographyDispatcher, { strict: false }).handledTypes;
    reactors.push({
      consumer: `${prefix.replace('chor_', '')}-service:events`,
      url: database.url,
      types,
    });
    return app;
  }

  beforeAll(async () => {
    vhost = await createTestVhost();
    [flight, hotel, payment] = await Promise.all([
      boot('chor_flight', createFlightServiceApp),
      boot('chor_hotel', createHotelServiceApp),
      boot('chor_payment', createPaymentServiceApp),
    ]);
    broker = new RabbitMqTransport({ url: vhost.url, connectionName: 'choreography-int-spec' });
    await broker.init();
    const bindings = [{ exchange: TRIP_EVENTS_EXCHANGE, routingKey: 'trip.#' }];
    await broker.consume({ name: PROBE_QUEUE, bindings }, async (message) => {
      seen.push(message.body as EventMessage<TripBooking>);
    });
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(databases.map((database) => database.dispose()));
    await vhost?.dispose();
  });

  function trip(faults: Faults = {}, hotelId = 'HT-200'): TripBooking {
    return {
      bookingId: `chor-${++bookingSeq}-${Date.now()}`,
      customerId: 'cust-1',
      flight: { flightId: 'FL-100', seats: 2 },
      hotel: { hotelId, nights: 2, rooms: 1 },
      faults,
    };
  }

  function event<P>(
    endpoint: EventEndpoint<P>,
    payload: P,
    correlationId: string,
  ): EventMessage<P> {
    return {
      messageId: randomUUID(),
      type: endpoint.type,
      correlationId,
      source: 'orchestrator',
      payload,
      occurredAt: new Date().toISOString(),
    };
  }

  async function publish(
    body: object,
    type: string,
    messageId: string,
    headers?: Record<string, string>,
  ): Promise<void> {
    await broker.publish({
      messageId,
      exchange: TRIP_EVENTS_EXCHANGE,
      routingKey: type,
      type,
      body,
      ...(headers ? { headers } : {}),
    });
  }

  /** A booking's faults go in the `x-saga-faults` header, as the orchestrator sends them. */
  async function publishEvent(message: EventMessage<unknown>): Promise<void> {
    const { faults } = (message.payload ?? {}) as Partial<TripBooking>;
    const headers = stepFaultsHeaders({ labels: stepFaultsLabels(faults) });
    await publish(message, message.type, message.messageId, headers);
  }

  async function book(booking: TripBooking): Promise<void> {
    await publishEvent(event(TripEvents.bookingRequested, booking, booking.bookingId));
  }

  function eventsOf(bookingId: string): EventMessage<TripBooking>[] {
    return seen.filter((e) => e.correlationId === bookingId);
  }

  function typesOf(bookingId: string): string[] {
    return eventsOf(bookingId).map((e) => e.type);
  }

  /** Waits for the booking's event of `endpoint`, then until nothing more can come after it. */
  async function settledOn(
    bookingId: string,
    endpoint: EventEndpoint<TripBooking>,
  ): Promise<EventMessage<TripBooking>> {
    const last = await waitFor(() => eventsOf(bookingId).find((e) => e.type === endpoint.type), {
      timeoutMs: 20_000,
      what: `${endpoint.type} of ${bookingId}`,
    });
    await quiet(bookingId);
    return last;
  }

  /**
   * Waits until nothing more can come for the booking: every event of it seen so far is in
   * the inbox of each participant that reacts to it (handled, and committed with what it
   * published), every outbox is sent (so those events are on the probe queue), and a marker
   * published to the probe queue after that has come through it, behind them. Again while
   * that turned up new events.
   */
  async function quiet(bookingId: string): Promise<void> {
    for (let seenBefore = -1; seenBefore !== eventsOf(bookingId).length;) {
      seenBefore = eventsOf(bookingId).length;
      const events = eventsOf(bookingId);
      await waitFor(
        async () => {
          for (const e of events) {
            for (const r of reactors.filter((r) => r.types.has(e.type))) {
              if (!(await inboxHas(r.url, r.consumer, e.messageId))) return undefined;
            }
          }
          return (await unsentOutboxRows(reactors.map((r) => r.url))) === 0 ? true : undefined;
        },
        { timeoutMs: 20_000, what: `the participants done with ${bookingId}` },
      );
      const marker = randomUUID();
      await broker.publish({
        messageId: marker,
        exchange: '',
        routingKey: PROBE_QUEUE,
        type: 'test.marker',
        body: { messageId: marker, type: 'test.marker', correlationId: 'marker' },
      });
      await waitFor(() => (seen.some((e) => e.messageId === marker) ? true : undefined), {
        what: 'the marker through the probe queue',
      });
    }
  }

  const http = (app: INestApplication) => request(app.getHttpServer());

  async function state(app: INestApplication, path: string): Promise<Record<string, unknown>> {
    const res = await http(app).get(path);
    return res.status === 404 ? { status: 404 } : (res.body as Record<string, unknown>);
  }

  async function held(bookingId: string): Promise<[unknown, unknown, unknown]> {
    const [f, h, p] = await Promise.all([
      state(flight, `/reservations/${bookingId}`),
      state(hotel, `/reservations/${bookingId}`),
      state(payment, `/payments/${bookingId}`),
    ]);
    return [f.status, h.status, p.status];
  }

  async function roomsAvailable(hotelId: string): Promise<number> {
    const res = await http(hotel).get('/hotels').expect(200);
    return (res.body as { hotelId: string; roomsAvailable: number }[]).find(
      (h) => h.hotelId === hotelId,
    )!.roomsAvailable;
  }

  async function seatsAvailable(flightId: string): Promise<number> {
    const res = await http(flight).get('/flights').expect(200);
    return (res.body as { flightId: string; seatsAvailable: number }[]).find(
      (f) => f.flightId === flightId,
    )!.seatsAvailable;
  }

  it('reserves the flight and the hotel at once, then charges what both priced', async () => {
    const booking = trip();
    await book(booking);
    const charged = await settledOn(booking.bookingId, TripEvents.paymentCharged);
    const types = typesOf(booking.bookingId);
    expect(types[0]).toBe('trip.booking.requested');
    expect(types.slice(1, 3).sort()).toEqual(['trip.flight.reserved', 'trip.hotel.reserved']);
    // The payment service charges once, after both reservations, whichever came first.
    expect(types.slice(3)).toEqual(['trip.payment.charged']);
    expect(charged.source).toBe('payment-service');
    expect(charged.payload).toEqual({
      ...booking,
      prices: { flight: 500, hotel: 240 },
      flightPrice: 500,
      hotelPrice: 240,
    });
    expect(await held(booking.bookingId)).toEqual(['RESERVED', 'RESERVED', 'CHARGED']);
    expect(await state(payment, `/payments/${booking.bookingId}`)).toMatchObject({
      customerId: 'cust-1',
      amount: 740,
    });
  });

  it('cancels the flight when the hotel refuses, whether the flight was reserved yet or not', async () => {
    const booking = trip({ hotel: 'fail' });
    const seats = await seatsAvailable('FL-100');
    await book(booking);
    const cancelled = await settledOn(booking.bookingId, TripEvents.flightCancelled);
    const types = typesOf(booking.bookingId);
    expect(types).toContain('trip.hotel.reservation-failed');
    // Reserved and then cancelled, or cancelled first and its late reservation refused.
    const flight = types.filter((t) => t.startsWith('trip.flight.'));
    expect([
      ['trip.flight.reserved', 'trip.flight.cancelled'],
      ['trip.flight.cancelled', 'trip.flight.reservation-failed'],
    ]).toContainEqual(flight);
    expect(types).not.toContain('trip.payment.charged');
    expect(cancelled.payload).toMatchObject({ reason: 'Injected failure of the hotel' });
    // A cancel that came first leaves a tombstone, which is no reservation.
    const reservedFirst = flight[0] === 'trip.flight.reserved';
    expect(await held(booking.bookingId)).toEqual([reservedFirst ? 'CANCELLED' : 404, 404, 404]);
    expect(await seatsAvailable('FL-100')).toBe(seats);
  });

  it('refuses a flight whose booking request comes after the hotel’s refusal, and undoes nothing twice', async () => {
    const booking = trip({ hotel: 'fail' });
    const seats = await seatsAvailable('FL-100');
    // The hotel's refusal overtakes the booking request on its way to the flight service.
    const refusal = { ...booking, reason: 'Injected failure of the hotel' };
    await publishEvent(event(TripEvents.hotelReservationFailed, refusal, booking.bookingId));
    await settledOn(booking.bookingId, TripEvents.flightCancelled);
    await book(booking);
    await settledOn(booking.bookingId, TripEvents.flightReservationFailed);
    const types = typesOf(booking.bookingId);
    expect(types).not.toContain('trip.flight.reserved');
    expect(types).not.toContain('trip.payment.charged');
    expect(await held(booking.bookingId)).toEqual([404, 404, 404]);
    expect(await seatsAvailable('FL-100')).toBe(seats);
  });

  it('cancels the hotel and the flight when the payment is declined', async () => {
    const booking = { ...trip(), customerId: 'cust-poor' };
    await book(booking);
    await settledOn(booking.bookingId, TripEvents.paymentFailed);
    const types = typesOf(booking.bookingId);
    const failedAt = types.indexOf('trip.payment.failed');
    expect(types.slice(1, failedAt).sort()).toEqual([
      'trip.flight.reserved',
      'trip.hotel.reserved',
    ]);
    expect(types.slice(failedAt + 1).sort()).toEqual([
      'trip.flight.cancelled',
      'trip.hotel.cancelled',
    ]);
    const failed = eventsOf(booking.bookingId)[failedAt];
    expect(failed.payload.reason).toMatch(/cust-poor cannot pay 740/);
    expect(await held(booking.bookingId)).toEqual(['CANCELLED', 'CANCELLED', 404]);
  });

  it('undoes the hotel and the flight when an injected payment failure is announced', async () => {
    const booking = trip({ payment: 'fail' });
    await book(booking);
    await settledOn(booking.bookingId, TripEvents.paymentFailed);
    expect(typesOf(booking.bookingId).slice(3, 4)).toEqual(['trip.payment.failed']);
    expect(typesOf(booking.bookingId).slice(4).sort()).toEqual([
      'trip.flight.cancelled',
      'trip.hotel.cancelled',
    ]);
    expect(await held(booking.bookingId)).toEqual(['CANCELLED', 'CANCELLED', 404]);
  });

  it('keeps a timed-out hotel silent, and undoes everything from payment back on cancellation', async () => {
    const booking = trip({ hotel: 'timeout' }, 'HT-300');
    const rooms = await roomsAvailable('HT-300');
    const seats = await seatsAvailable('FL-100');
    await book(booking);
    await eventually(async () =>
      expect(await held(booking.bookingId)).toEqual(['RESERVED', 'RESERVED', 404]),
    );
    await quiet(booking.bookingId);
    expect(typesOf(booking.bookingId)).toEqual(['trip.booking.requested', 'trip.flight.reserved']);
    expect(await roomsAvailable('HT-300')).toBe(rooms - 1);
    // The payment waits for the hotel's price, which never comes.
    expect(await held(booking.bookingId)).toEqual(['RESERVED', 'RESERVED', 404]);

    // What the orchestrator's deadline watcher publishes when the booking stalls.
    const deadline = { ...booking, flightPrice: 500, reason: 'no answer before the deadline' };
    await publishEvent(event(TripEvents.cancellationRequested, deadline, booking.bookingId));
    await settledOn(booking.bookingId, TripEvents.paymentRefunded);
    const types = typesOf(booking.bookingId);
    expect(types.slice(2, 4)).toEqual([
      'trip.booking.cancellation-requested',
      'trip.payment.refunded',
    ]);
    expect(types.slice(4).sort()).toEqual(['trip.flight.cancelled', 'trip.hotel.cancelled']);
    const cancelled = eventsOf(booking.bookingId).find((e) => e.type === 'trip.flight.cancelled');
    expect(cancelled?.payload).toMatchObject({ reason: 'no answer before the deadline' });
    // The refund of a charge that never happened left a tombstone, which is no payment.
    expect(await held(booking.bookingId)).toEqual(['CANCELLED', 'CANCELLED', 404]);
    expect(await roomsAvailable('HT-300')).toBe(rooms);
    expect(await seatsAvailable('FL-100')).toBe(seats);
  });

  it('gives up a failing flight cancellation after five deliveries and says so', async () => {
    const deadLetters = deadLetterQueueOf('flight-service.events');
    const before = (await broker.queueStats(deadLetters)).messages;
    const booking = trip({ flight: 'fail-compensation', hotel: 'fail' });
    await book(booking);
    const failed = await settledOn(booking.bookingId, TripEvents.flightCancellationFailed);
    const types = typesOf(booking.bookingId);
    expect(types[0]).toBe('trip.booking.requested');
    // The failed undo left nothing behind, so the flight's work, before or after it, held.
    expect([...types.slice(1)].sort()).toEqual([
      'trip.flight.cancellation-failed',
      'trip.flight.reserved',
      'trip.hotel.reservation-failed',
    ]);
    expect(failed.payload).toMatchObject({
      reason: 'Injected failure of the flight compensation',
    });
    // Left for an operator, and handled: nothing dead-lettered.
    expect(await held(booking.bookingId)).toEqual(['RESERVED', 404, 404]);
    expect((await broker.queueStats(deadLetters)).messages).toBe(before);
  });

  it('handles an event delivered twice once: one reservation, one announcement', async () => {
    const booking = trip();
    const seats = await seatsAvailable('FL-100');
    const requested = event(TripEvents.bookingRequested, booking, booking.bookingId);
    await Promise.all([publishEvent(requested), publishEvent(requested)]);
    await settledOn(booking.bookingId, TripEvents.paymentCharged);
    const types = typesOf(booking.bookingId);
    expect(types.slice(0, 2)).toEqual(['trip.booking.requested', 'trip.booking.requested']);
    expect(types.slice(2, 4).sort()).toEqual(['trip.flight.reserved', 'trip.hotel.reserved']);
    expect(types.slice(4)).toEqual(['trip.payment.charged']);
    expect(await seatsAvailable('FL-100')).toBe(seats - 2);
  });

  it('dead-letters a malformed event and goes on with the next one', async () => {
    const deadLetters = deadLetterQueueOf('flight-service.events');
    const before = (await broker.queueStats(deadLetters)).messages;
    const type = TripEvents.bookingRequested.type;
    // Not an event at all; then a well-formed event whose payload is not a booking.
    await publish({ hello: 'world' }, type, randomUUID());
    const notABooking = {
      ...event(TripEvents.bookingRequested, trip(), 'x'),
      payload: { bookingId: 'x' },
    };
    await publishEvent(notABooking);
    const next = trip();
    await book(next);
    await settledOn(next.bookingId, TripEvents.paymentCharged);
    await eventually(async () =>
      expect((await broker.queueStats(deadLetters)).messages).toBe(before + 2),
    );
    expect(await state(flight, '/reservations/x')).toEqual({ status: 404 });
  });
});
