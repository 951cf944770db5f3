import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ReplyMessage } from '@app/saga-core/transport/message-envelope';
import { deadLetterQueueOf } from '@app/saga-core/transport/message-transport';
import {
  FLIGHT_COMMANDS,
  FlightEndpoints,
  HOTEL_COMMANDS,
  HotelEndpoints,
  PAYMENT_COMMANDS,
  PaymentEndpoints,
  TripErrorCode,
} from '@app/trip-api';
import { createFlightServiceApp } from '../../apps/flight-service/src/flight-service.app';
import { createHotelServiceApp } from '../../apps/hotel-service/src/hotel-service.app';
import { createPaymentServiceApp } from '../../apps/payment-service/src/payment-service.app';
import { TestDatabase, createTestDatabase } from '../support/postgres';
import { TestVhost, createTestVhost, queueDepth } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';
import { CommandClient, stepFaultHeaders } from './command-client';
import { inboxHas, unsentOutboxRows } from './quiescence';

jest.setTimeout(60_000);

describe('participants (flight, hotel, payment) over PostgreSQL and RabbitMQ', () => {
  let vhost: TestVhost;
  const databases: TestDatabase[] = [];
  const apps: INestApplication[] = [];
  let flight: INestApplication;
  let hotel: INestApplication;
  let payment: INestApplication;
  let client: CommandClient;
  let bookingSeq = 0;
  const nextBooking = (): string => `booking-${++bookingSeq}-${Date.now()}`;

  async function boot(
    prefix: string,
    create: typeof createFlightServiceApp,
  ): Promise<INestApplication> {
    const database = await createTestDatabase(prefix);
    databases.push(database);
    // The participants answer only on the queues allowed to them: here, the test's own.
    const env = {
      DATABASE_URL: database.url,
      AMQP_URL: vhost.url,
      PORT: '0',
      SAGA_REPLY_QUEUES: 'test.replies',
    };
    const app = await create(env, { logger: ['error'] });
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    vhost = await createTestVhost();
    [flight, hotel, payment] = await Promise.all([
      boot('flight', createFlightServiceApp),
      boot('hotel', createHotelServiceApp),
      boot('payment', createPaymentServiceApp),
    ]);
    client = await CommandClient.open(vhost.url);
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(databases.map((database) => database.dispose()));
    await vhost?.dispose();
  });

  async function seatsAvailable(flightId: string): Promise<number> {
    const res = await request(flight.getHttpServer()).get('/flights').expect(200);
    return (res.body as { flightId: string; seatsAvailable: number }[]).find(
      (f) => f.flightId === flightId,
    )!.seatsAvailable;
  }

  async function roomsAvailable(hotelId: string): Promise<number> {
    const res = await request(hotel.getHttpServer()).get('/hotels').expect(200);
    return (res.body as { hotelId: string; roomsAvailable: number }[]).find(
      (h) => h.hotelId === hotelId,
    )!.roomsAvailable;
  }

  async function balance(customerId: string): Promise<number> {
    const res = await request(payment.getHttpServer()).get('/accounts').expect(200);
    return (res.body as { customerId: string; balance: number }[]).find(
      (a) => a.customerId === customerId,
    )!.balance;
  }

  /**
   * Waits until nothing more can come from `channel`'s participant: the queue holds nothing
   * (every copy of every command settled, after its transaction), every outbox is sent, and a
   * marker sent to the reply queue after that has come back, behind every reply before it.
   */
  async function drained(channel: string): Promise<void> {
    await waitFor(
      async () => ((await queueDepth(vhost.vhost, channel)).total === 0 ? true : undefined),
      { timeoutMs: 20_000, what: `${channel} drained` },
    );
    await waitFor(
      async () => ((await unsentOutboxRows(databases.map((d) => d.url))) === 0 ? true : undefined),
      { what: 'every outbox sent' },
    );
    await client.marker();
  }

  function expectRefusal(reply: ReplyMessage, code: string, retryable = false): void {
    expect(reply).toMatchObject({ outcome: 'failure', error: { code, retryable } });
    expect(reply.payload).toBeUndefined();
  }

  describe('flight-service', () => {
    it('reserves seats and replies with their price, echoing the correlation fields', async () => {
      const bookingId = nextBooking();
      const before = await seatsAvailable('FL-100');
      const command = client.command(FlightEndpoints.reserve.type, {
        bookingId,
        flightId: 'FL-100',
        seats: 2,
      });
      const reply = await client.call(FLIGHT_COMMANDS, command);
      expect(reply).toMatchObject({
        type: 'flight.reserve.reply',
        inReplyTo: command.messageId,
        sagaId: command.sagaId,
        step: command.step,
        stepIndex: command.stepIndex,
        phase: 'forward',
        attempt: 1,
        outcome: 'success',
        payload: { flightId: 'FL-100', seats: 2, price: 500 },
      });
      expect(reply.messageId).not.toBe(command.messageId);
      expect(await seatsAvailable('FL-100')).toBe(before - 2);
      await request(flight.getHttpServer())
        .get(`/reservations/${bookingId}`)
        .expect(200, { bookingId, flightId: 'FL-100', seats: 2, price: 500, status: 'RESERVED' });
    });

    it('handles a command delivered twice once: one decrement, one reply', async () => {
      const before = await seatsAvailable('FL-200');
      const command = client.command(FlightEndpoints.reserve.type, {
        bookingId: nextBooking(),
        flightId: 'FL-200',
        seats: 1,
      });
      await client.send(FLIGHT_COMMANDS, command);
      await client.send(FLIGHT_COMMANDS, command);
      await client.replyTo(command);
      await drained(FLIGHT_COMMANDS);
      expect(client.repliesTo(command)).toHaveLength(1);
      expect(await seatsAvailable('FL-200')).toBe(before - 1);
    });

    it('answers a second reserve of the same booking with the same reservation', async () => {
      const bookingId = nextBooking();
      const payload = { bookingId, flightId: 'FL-200', seats: 3 };
      const before = await seatsAvailable('FL-200');
      const first = await client.call(FLIGHT_COMMANDS, client.command('flight.reserve', payload));
      const retry = client.command('flight.reserve', payload, { attempt: 2 });
      const second = await client.call(FLIGHT_COMMANDS, retry);
      expect(second).toMatchObject({ outcome: 'success', attempt: 2, payload: first.payload });
      expect(await seatsAvailable('FL-200')).toBe(before - 3);
    });

    it('releases the seats of a cancelled reservation, and cancels only once', async () => {
      const bookingId = nextBooking();
      const before = await seatsAvailable('FL-100');
      await client.call(
        FLIGHT_COMMANDS,
        client.command('flight.reserve', { bookingId, flightId: 'FL-100', seats: 4 }),
      );
      for (let i = 0; i < 2; i++) {
        const reply = await client.call(
          FLIGHT_COMMANDS,
          client.command(FlightEndpoints.cancel.type, { bookingId }),
        );
        expect(reply).toMatchObject({ outcome: 'success', phase: 'compensation' });
      }
      expect(await seatsAvailable('FL-100')).toBe(before);
      const res = await request(flight.getHttpServer()).get(`/reservations/${bookingId}`);
      expect(res.body).toMatchObject({ status: 'CANCELLED', seats: 4 });
    });

    it('leaves a tombstone for a cancel that comes first, shows no reservation, and refuses the late reserve', async () => {
      const bookingId = nextBooking();
      const before = await seatsAvailable('FL-100');
      const cancel = await client.call(
        FLIGHT_COMMANDS,
        client.command('flight.cancel', { bookingId }),
      );
      expect(cancel.outcome).toBe('success');
      // The tombstone is the service's bookkeeping: no reservation was ever made.
      await request(flight.getHttpServer()).get(`/reservations/${bookingId}`).expect(404);

      const late = await client.call(
        FLIGHT_COMMANDS,
        client.command('flight.reserve', { bookingId, flightId: 'FL-100', seats: 1 }),
      );
      expectRefusal(late, TripErrorCode.ALREADY_CANCELLED);
      expect(await seatsAvailable('FL-100')).toBe(before);
    });

    it('refuses a flight that is sold out and reserves nothing for it', async () => {
      const first = nextBooking();
      const second = nextBooking();
      const ok = await client.call(
        FLIGHT_COMMANDS,
        client.command('flight.reserve', { bookingId: first, flightId: 'FL-300', seats: 2 }),
      );
      expect(ok.outcome).toBe('success');
      const refused = await client.call(
        FLIGHT_COMMANDS,
        client.command('flight.reserve', { bookingId: second, flightId: 'FL-300', seats: 1 }),
      );
      expectRefusal(refused, TripErrorCode.SOLD_OUT);
      expect(await seatsAvailable('FL-300')).toBe(0);
      await request(flight.getHttpServer()).get(`/reservations/${second}`).expect(404);
    });

    it('refuses an unknown flight, a malformed payload and an injected failure', async () => {
      const bookingId = nextBooking();
      const cases: [unknown, string][] = [
        [{ bookingId, flightId: 'FL-999', seats: 1 }, TripErrorCode.UNKNOWN_FLIGHT],
        [{ bookingId, flightId: 'FL-100', seats: 0 }, 'INVALID_PAYLOAD'],
      ];
      const injected = client.command('flight.reserve', {
        bookingId,
        flightId: 'FL-100',
        seats: 1,
      });
      const failed = await client.call(
        FLIGHT_COMMANDS,
        injected,
        stepFaultHeaders('flight', 'fail'),
      );
      expectRefusal(failed, TripErrorCode.INJECTED_FAILURE);
      for (const [payload, code] of cases) {
        const reply = await client.call(FLIGHT_COMMANDS, client.command('flight.reserve', payload));
        expectRefusal(reply, code);
      }
      await request(flight.getHttpServer()).get(`/reservations/${bookingId}`).expect(404);
    });

    it('never leaks a seat when a reserve and its cancel race', async () => {
      const before = await seatsAvailable('FL-200');
      const bookings = Array.from({ length: 10 }, () => nextBooking());
      const commands = bookings.flatMap((bookingId) => [
        client.command('flight.reserve', { bookingId, flightId: 'FL-200', seats: 2 }),
        client.command('flight.cancel', { bookingId }),
      ]);
      await Promise.all(commands.map((command) => client.send(FLIGHT_COMMANDS, command)));
      await Promise.all(commands.map((command) => client.replyTo(command)));
      expect(await seatsAvailable('FL-200')).toBe(before);
      for (const bookingId of bookings) {
        // Released, or never made (the cancel came first and left a tombstone).
        const res = await request(flight.getHttpServer()).get(`/reservations/${bookingId}`);
        expect(res.status === 404 ? 'none' : (res.body as { status: string }).status).toMatch(
          /^(none|CANCELLED)$/,
        );
      }
    });

    it('dead-letters a message that is not a command and goes on with the next one', async () => {
      const deadLetters = deadLetterQueueOf(FLIGHT_COMMANDS);
      const before = await client.queueDepth(deadLetters);
      await client.sendBody(FLIGHT_COMMANDS, 'flight.reserve', { hello: 'world' });
      await client.sendBody(FLIGHT_COMMANDS, 'flight.explode', {
        ...client.command('flight.explode', {}),
      });
      const next = client.command('flight.reserve', {
        bookingId: nextBooking(),
        flightId: 'FL-100',
        seats: 1,
      });
      expect((await client.call(FLIGHT_COMMANDS, next)).outcome).toBe('success');
      await eventually(async () => expect(await client.queueDepth(deadLetters)).toBe(before + 2));
    });
  });

  describe('hotel-service', () => {
    it('reserves rooms for the nights and prices the stay', async () => {
      const bookingId = nextBooking();
      const before = await roomsAvailable('HT-200');
      const reply = await client.call(
        HOTEL_COMMANDS,
        client.command(HotelEndpoints.reserve.type, {
          bookingId,
          hotelId: 'HT-200',
          nights: 2,
          rooms: 3,
        }),
      );
      expect(reply).toMatchObject({
        outcome: 'success',
        payload: { hotelId: 'HT-200', rooms: 3, nights: 2, price: 720 },
      });
      expect(await roomsAvailable('HT-200')).toBe(before - 3);
      await request(hotel.getHttpServer()).get(`/reservations/${bookingId}`).expect(200, {
        bookingId,
        hotelId: 'HT-200',
        rooms: 3,
        nights: 2,
        price: 720,
        status: 'RESERVED',
      });
    });

    it('does the work of a timed-out reserve but never replies', async () => {
      const bookingId = nextBooking();
      const before = await roomsAvailable('HT-300');
      const command = client.command('hotel.reserve', {
        bookingId,
        hotelId: 'HT-300',
        nights: 1,
        rooms: 1,
      });
      await client.send(HOTEL_COMMANDS, command, stepFaultHeaders('hotel', 'timeout'));
      await eventually(() =>
        request(hotel.getHttpServer()).get(`/reservations/${bookingId}`).expect(200),
      );
      // Handled and committed with no reply: its inbox row says so.
      const hotelDb = databases.find((d) => d.name.startsWith('test_hotel_'))!.url;
      await waitFor(async () =>
        (await inboxHas(hotelDb, 'hotel-service', command.messageId)) ? true : undefined,
      );
      await drained(HOTEL_COMMANDS);
      expect(client.repliesTo(command)).toHaveLength(0);
      expect(await roomsAvailable('HT-300')).toBe(before - 1);
    });

    it('sells the last room once when many bookings race for it', async () => {
      const commands = Array.from({ length: 12 }, () =>
        client.command('hotel.reserve', {
          bookingId: nextBooking(),
          hotelId: 'HT-400',
          nights: 1,
          rooms: 1,
        }),
      );
      await Promise.all(commands.map((command) => client.send(HOTEL_COMMANDS, command)));
      const replies = await Promise.all(commands.map((command) => client.replyTo(command)));
      expect(replies.filter((r) => r.outcome === 'success')).toHaveLength(1);
      for (const r of replies.filter((r) => r.outcome === 'failure')) {
        expectRefusal(r, TripErrorCode.SOLD_OUT);
      }
      expect(await roomsAvailable('HT-400')).toBe(0);
    });
  });

  describe('payment-service', () => {
    it('charges once, refunds once, and puts the balance back', async () => {
      const bookingId = nextBooking();
      const before = await balance('cust-2');
      const charge = client.command(PaymentEndpoints.charge.type, {
        bookingId,
        customerId: 'cust-2',
        amount: 620,
      });
      await client.send(PAYMENT_COMMANDS, charge);
      await client.send(PAYMENT_COMMANDS, charge);
      expect(await client.replyTo(charge)).toMatchObject({
        outcome: 'success',
        payload: { customerId: 'cust-2', amount: 620 },
      });
      expect(await balance('cust-2')).toBe(before - 620);
      await request(payment.getHttpServer())
        .get(`/payments/${bookingId}`)
        .expect(200, { bookingId, customerId: 'cust-2', amount: 620, status: 'CHARGED' });

      for (let i = 0; i < 2; i++) {
        const refund = await client.call(
          PAYMENT_COMMANDS,
          client.command(PaymentEndpoints.refund.type, { bookingId }),
        );
        expect(refund.outcome).toBe('success');
      }
      expect(await balance('cust-2')).toBe(before);
      const res = await request(payment.getHttpServer()).get(`/payments/${bookingId}`);
      expect(res.body).toMatchObject({ status: 'REFUNDED', amount: 620 });
    });

    it('declines a customer who cannot pay, and charges nothing', async () => {
      const bookingId = nextBooking();
      const reply = await client.call(
        PAYMENT_COMMANDS,
        client.command('payment.charge', { bookingId, customerId: 'cust-poor', amount: 500 }),
      );
      expectRefusal(reply, TripErrorCode.INSUFFICIENT_FUNDS);
      expect(await balance('cust-poor')).toBe(100);
      await request(payment.getHttpServer()).get(`/payments/${bookingId}`).expect(404);
    });

    it('refuses a charge that arrives after its refund', async () => {
      const bookingId = nextBooking();
      const before = await balance('cust-3');
      await client.call(PAYMENT_COMMANDS, client.command('payment.refund', { bookingId }));
      const late = await client.call(
        PAYMENT_COMMANDS,
        client.command('payment.charge', { bookingId, customerId: 'cust-3', amount: 100 }),
      );
      expectRefusal(late, TripErrorCode.ALREADY_CANCELLED);
      expect(await balance('cust-3')).toBe(before);
      // No money moved: there is no payment to show.
      await request(payment.getHttpServer()).get(`/payments/${bookingId}`).expect(404);
    });

    it('fails a refund with fail-compensation as retryable and changes nothing', async () => {
      const bookingId = nextBooking();
      await client.call(
        PAYMENT_COMMANDS,
        client.command('payment.charge', { bookingId, customerId: 'cust-4', amount: 300 }),
      );
      const after = await balance('cust-4');
      const reply = await client.call(
        PAYMENT_COMMANDS,
        client.command('payment.refund', { bookingId }),
        stepFaultHeaders('payment', 'fail-compensation'),
      );
      expectRefusal(reply, TripErrorCode.INJECTED_COMPENSATION_FAILURE, true);
      expect(await balance('cust-4')).toBe(after);
      const res = await request(payment.getHttpServer()).get(`/payments/${bookingId}`);
      expect(res.body).toMatchObject({ status: 'CHARGED' });
    });
  });

  describe('HTTP', () => {
    it('lists the catalogues in the contract shapes', async () => {
      const flights = await request(flight.getHttpServer()).get('/flights').expect(200);
      expect(flights.body).toContainEqual({
        flightId: 'FL-300',
        seatsTotal: 2,
        seatsAvailable: expect.any(Number),
        price: 400,
      });
      const hotels = await request(hotel.getHttpServer()).get('/hotels').expect(200);
      expect(hotels.body).toContainEqual({
        hotelId: 'HT-400',
        roomsTotal: 1,
        roomsAvailable: expect.any(Number),
        pricePerNight: 300,
      });
      const accounts = await request(payment.getHttpServer()).get('/accounts').expect(200);
      expect(accounts.body).toContainEqual({
        customerId: 'cust-1',
        balance: 100_000_000,
        initialBalance: 100_000_000,
      });
    });

    it('answers 404 for a booking it never saw', async () => {
      await request(flight.getHttpServer()).get('/reservations/nobody').expect(404);
      await request(hotel.getHttpServer()).get('/reservations/nobody').expect(404);
      await request(payment.getHttpServer()).get('/payments/nobody').expect(404);
    });

    it('reports health and metrics', async () => {
      for (const app of [flight, hotel, payment]) {
        const health = await request(app.getHttpServer()).get('/health').expect(200);
        expect(health.body).toMatchObject({
          status: 'ok',
          info: { database: { status: 'up' }, broker: { status: 'up' } },
        });
        const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
        expect(metrics.text).toContain('process_cpu_user_seconds_total');
        expect(metrics.text).toContain('saga_participant_commands_total');
      }
    });
  });
});
