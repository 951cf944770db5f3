import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { deadLetterQueueOf } from '@app/saga-core';
import { FLIGHT_COMMANDS, FlightEndpoints, TripEvents } from '@app/trip-api';
import { queueDepth } from '../support/rabbitmq-vhost';
import { TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { waitFor } from '../support/wait-for';

const REPLIES = 'orchestrator.replies';
const FLIGHT_EVENTS = 'flight-service.events';
const POISONED_QUEUES = [FLIGHT_COMMANDS, REPLIES, FLIGHT_EVENTS];
const REASONS = ['unreadable', 'unknown-type', 'invalid', 'delivery-limit'];
/**
 * Valid as far as every validator can tell (a positive integer), but past PostgreSQL's
 * `integer`: the handler's statement always fails. (A NUL in a string, which used to serve here,
 * is refused by the validators now, as invalid.)
 */
const UNSTORABLE_SEATS = 2 ** 31;
/**
 * A booking id too long for the primary key's index of the reservations (a btree entry holds
 * at most 2704 bytes, and random hex does not compress): for an event, whose booking is held
 * to the request's own bounds, the handler's insert is what always fails.
 */
const UNSTORABLE_ID = randomBytes(4_000).toString('hex');

interface Poison {
  queue: string;
  /** A JSON body, or raw bytes for the one that is not JSON at all. */
  body: object | string;
}

/**
 * Each kind of poison on each kind of queue, published while bookings run in both modes:
 * every poison message ends in its queue's dead-letter queue and in `/metrics`, and no
 * booking waits for it.
 */
describe('poison messages', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('dead-letters each kind of poison on commands, replies and events, while every booking ends', async () => {
    const trip = (mode: string) => ({
      mode,
      customerId: 'cust-1',
      flight: { flightId: 'FL-100', seats: 1 },
      hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
    });
    // A saga that exists, so a reply of an unknown type reaches its state machine.
    const known = await system.book(trip('orchestrated'));
    await system.settled(known);

    const bookings = Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        system.book(trip(i % 2 === 0 ? 'orchestrated' : 'choreographed')),
      ),
    );
    await publish(poisonMessages(known));
    const ids = await bookings;

    const ended = await Promise.all(ids.map((id) => system.settled(id, 30_000)));
    expect(ended.map((b) => b.status)).toEqual(ids.map(() => 'CONFIRMED'));
    for (const queue of POISONED_QUEUES) {
      await waitFor(
        async () => {
          const depth = await queueDepth(system.vhost.vhost, deadLetterQueueOf(queue));
          return depth.total === REASONS.length ? true : undefined;
        },
        { what: `${REASONS.length} dead letters from ${queue}`, timeoutMs: 20_000 },
      );
      expect(await queueDepth(system.vhost.vhost, queue)).toMatchObject({ total: 0 });
    }

    const counted = await deadLetterCounts();
    const expected = Object.fromEntries(
      POISONED_QUEUES.flatMap((queue) => REASONS.map((reason) => [`${queue} ${reason}`, 1])),
    );
    expect(counted).toEqual(expected);
    await assertTripInvariants(system);
  });

  /** The four kinds of poison for each of the three queues. */
  function poisonMessages(knownSagaId: string): Poison[] {
    const sagaId = randomUUID();
    const command = {
      messageId: randomUUID(),
      type: FlightEndpoints.reserve.type,
      sagaId,
      step: 'flight',
      stepIndex: 0,
      phase: 'forward',
      attempt: 1,
      replyTo: REPLIES,
      payload: { bookingId: sagaId, flightId: 'FL-100', seats: 1 },
      sentAt: new Date().toISOString(),
    };
    const reply = {
      messageId: randomUUID(),
      type: `${FlightEndpoints.reserve.type}.reply`,
      inReplyTo: randomUUID(),
      sagaId: knownSagaId,
      step: 'flight',
      stepIndex: 0,
      phase: 'forward',
      attempt: 1,
      outcome: 'success',
      payload: { flightId: 'FL-100', seats: 1, price: 1 },
      sentAt: new Date().toISOString(),
    };
    const booking = {
      bookingId: sagaId,
      customerId: 'cust-1',
      flight: { flightId: 'FL-100', seats: 1 },
      hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
      faults: {},
    };
    // A valid booking whose id no reservation can carry: its handler's insert always fails.
    const unstorable = { ...booking, bookingId: UNSTORABLE_ID };
    const event = {
      messageId: randomUUID(),
      type: TripEvents.bookingRequested.type,
      correlationId: sagaId,
      source: 'test',
      payload: booking,
      occurredAt: new Date().toISOString(),
    };
    const fresh = () => randomUUID();
    return [
      { queue: FLIGHT_COMMANDS, body: '{"type": "flight.reserve", not json' },
      { queue: FLIGHT_COMMANDS, body: { ...command, messageId: fresh(), type: 'flight.explode' } },
      { queue: FLIGHT_COMMANDS, body: { ...command, messageId: fresh(), attempt: -1 } },
      {
        queue: FLIGHT_COMMANDS,
        body: {
          ...command,
          messageId: fresh(),
          payload: { ...command.payload, seats: UNSTORABLE_SEATS },
        },
      },
      { queue: REPLIES, body: '<reply/>' },
      { queue: REPLIES, body: { ...reply, messageId: fresh(), type: 'flight.explode.reply' } },
      { queue: REPLIES, body: { ...reply, messageId: fresh(), outcome: 'maybe' } },
      // Not a saga id the database can even look up.
      { queue: REPLIES, body: { ...reply, messageId: fresh(), sagaId: 'not-a-uuid' } },
      { queue: FLIGHT_EVENTS, body: 'trip.booking.requested' },
      {
        queue: FLIGHT_EVENTS,
        body: { ...event, messageId: fresh(), type: 'trip.flight.exploded' },
      },
      {
        queue: FLIGHT_EVENTS,
        body: { ...event, messageId: fresh(), payload: { ...booking, customerId: undefined } },
      },
      {
        queue: FLIGHT_EVENTS,
        body: { ...event, messageId: fresh(), correlationId: UNSTORABLE_ID, payload: unstorable },
      },
    ];
  }

  /** Raw amqplib, as a broken or hostile producer would: no envelope checks on the way. */
  async function publish(messages: Poison[]): Promise<void> {
    const connection = await connect(system.vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      for (const { queue, body } of messages) {
        const json = typeof body !== 'string';
        const messageId = json ? (body as { messageId?: string }).messageId : undefined;
        channel.sendToQueue(queue, Buffer.from(json ? JSON.stringify(body) : body), {
          persistent: true,
          ...(messageId ? { messageId, type: (body as { type?: string }).type } : {}),
        });
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  /** `saga_dead_lettered_messages_total` as `/metrics` serves it, keyed `queue reason`. */
  async function deadLetterCounts(): Promise<Record<string, number>> {
    const text = (await system.http('orchestrator').get('/metrics').expect(200)).text;
    const counts: Record<string, number> = {};
    const line = /^saga_dead_lettered_messages_total\{([^}]*)\} (\d+)$/gm;
    for (const [, labels, value] of text.matchAll(line)) {
      const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];
      counts[`${label('queue')} ${label('reason')}`] = Number(value);
    }
    return counts;
  }
});
