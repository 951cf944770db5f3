import {
  CHOREOGRAPHY_MACHINES,
  NO_FAULTS,
  ORCHESTRATION_MACHINES,
  OutboxRelay,
  SagaCoreOptions,
  SagaEngine,
  SagaInstance,
  stepFaultsHeaders,
  stepFaultsLabels,
} from '@app/saga-core';
import { InMemoryOutboxStore, InMemorySagaStore, InMemoryTransport } from '@app/saga-core/testing';
import { TripBooking, tripBookingDefinitions } from '@app/trip-api';
import {
  InMemoryCars,
  InMemoryFlights,
  InMemoryHotels,
  InMemoryPayments,
  TripJournal,
} from './trip-participants.in-memory';
import { RunningParticipant, startTripParticipants } from './trip-participants.kit';

/** The step timeout of both definitions; time only moves when a test says so. */
export const STEP_TIMEOUT_MS = 5_000;
const REPLY_QUEUE = 'trip.replies';
/**
 * Never on their own: the relay polls, and timers written by another process fire, only when a
 * test asks. A timer this engine writes wakes its runner at the wall clock's deadline (5 s
 * away, with the default timeout), long after a test that passes time itself is done.
 */
const NEVER_MS = 3_600_000;
/** Scheduler turns a settle may take before it gives up: a message loop, not a wait. */
const MAX_TURNS = 10_000;

export interface TripStock {
  flights: Record<string, { seats: number; price: number }>;
  hotels: Record<string, { rooms: number; perNight: number }>;
  cars: Record<string, { cars: number; perDay: number }>;
  balances: Record<string, number>;
}

/**
 * The whole trip on the in-memory adapters: the real engine (its writer, inbound and timer
 * runner) with the real trip definitions, one broker, and the participants, each with
 * its own inbox and outbox as each service has its own database. `settle` lets messages flow
 * until none is left, and `passTime` fires the timers due then.
 */
export class InMemoryTripSystem {
  readonly journal: TripJournal = [];
  readonly transport = new InMemoryTransport();
  readonly store = new InMemorySagaStore(new InMemoryOutboxStore());
  readonly flights: InMemoryFlights;
  readonly hotels: InMemoryHotels;
  readonly cars: InMemoryCars;
  readonly payments: InMemoryPayments;
  readonly engine: SagaEngine;
  private readonly relay: OutboxRelay;
  private participants: RunningParticipant[] = [];
  /** How far the tests moved time ahead of the wall clock. */
  private offsetMs = 0;

  constructor(stock: TripStock, stepTimeoutMs = STEP_TIMEOUT_MS) {
    this.flights = new InMemoryFlights(stock.flights, this.journal);
    this.hotels = new InMemoryHotels(stock.hotels, this.journal);
    this.cars = new InMemoryCars(stock.cars, this.journal);
    this.payments = new InMemoryPayments(stock.balances, this.journal);
    this.relay = new OutboxRelay(this.store.outbox, this.transport, { pollIntervalMs: NEVER_MS });
    const options: SagaCoreOptions = {
      serviceName: 'orchestrator',
      amqpUrl: 'memory://',
      orchestrator: {
        definitions: tripBookingDefinitions(stepTimeoutMs),
        replyQueue: REPLY_QUEUE,
        timerPollIntervalMs: NEVER_MS,
        messageHeaders: stepFaultsHeaders,
      },
    };
    const styles = [ORCHESTRATION_MACHINES, CHOREOGRAPHY_MACHINES];
    this.engine = new SagaEngine(
      this.store,
      this.transport,
      this.relay,
      styles,
      options,
      NO_FAULTS,
    );
  }

  async start(): Promise<this> {
    this.relay.start();
    await this.engine.start();
    const domain = {
      flights: this.flights,
      hotels: this.hotels,
      cars: this.cars,
      payments: this.payments,
    };
    this.participants = await startTripParticipants(domain, this.transport, REPLY_QUEUE);
    return this;
  }

  async stop(): Promise<void> {
    await this.engine.stop();
    for (const participant of this.participants) await participant.stop();
    await this.relay.stop();
    await this.transport.close();
  }

  /** Starts a booking (with its demo faults, as the API does), then settles what it causes. */
  async book(
    definition: string,
    trip: TripBooking,
    faults: TripBooking['faults'] = {},
  ): Promise<SagaInstance<TripBooking>> {
    const labels = stepFaultsLabels(faults);
    await this.engine.startSaga(definition, trip, { sagaId: trip.bookingId, labels });
    await this.settle();
    return this.saga(trip.bookingId);
  }

  async saga(sagaId: string): Promise<SagaInstance<TripBooking>> {
    const saga = await this.engine.find(sagaId);
    if (!saga) throw new Error(`no saga ${sagaId}`);
    return saga as SagaInstance<TripBooking>;
  }

  /** Moves time on by `ms`, fires the timers due by then, and settles what they send. */
  async passTime(ms: number): Promise<number> {
    this.offsetMs += ms;
    const fired = await this.engine.fireDueTimers(new Date(Date.now() + this.offsetMs));
    await this.settle();
    return fired;
  }

  /**
   * Lets messages flow until the broker has none waiting or in hand, and every committed
   * outbox row (the engine's and each participant's) has reached the broker.
   */
  async settle(): Promise<void> {
    const outboxes = [this.store.outbox, ...this.participants.map((p) => p.inbox.outbox)];
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      const published = new Set(this.transport.published.map((m) => m.messageId));
      const rows = outboxes.flatMap((outbox) => outbox.all());
      const unpublished = rows.some(
        (row) => !row.sent && !published.has(row.record.message.messageId),
      );
      if (!unpublished && this.transport.isIdle()) return;
    }
    throw new Error(`the trip did not settle in ${MAX_TURNS} turns`);
  }

  /** The messages a participant handled in a transaction: those it passed by are not counted. */
  handledBy(name: string): number {
    const participant = this.participants.find((p) => p.name === name);
    if (!participant) throw new Error(`no participant ${name}`);
    return participant.inbox.handledCount;
  }
}
