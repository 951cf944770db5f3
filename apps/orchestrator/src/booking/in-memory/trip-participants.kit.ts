import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  ChoreographyDispatcher,
  FaultRules,
  InboundDeps,
  MessageTransport,
  OutboxRelay,
  ParticipantDispatcher,
  SagaCoreOptions,
  SagaStepParticipant,
  sagaStepAdapter,
} from '@app/saga-core';
import { InMemoryInbox } from '@app/saga-core/testing';
import {
  CAR_COMMANDS,
  CancelCar,
  CancelFlight,
  CancelHotel,
  CarReserved,
  ChargePayment,
  FLIGHT_COMMANDS,
  FlightReserved,
  HOTEL_COMMANDS,
  HotelReserved,
  PAYMENT_COMMANDS,
  PaymentCharged,
  RefundPayment,
  ReserveCar,
  ReserveFlight,
  ReserveHotel,
  TripParticipant,
  tripStepBinding,
} from '@app/trip-api';
import {
  InMemoryCars,
  InMemoryFlights,
  InMemoryHotels,
  InMemoryPayments,
} from './trip-participants.in-memory';

/**
 * The trip's participants as the kit runs them, on the in-memory domain services: each is
 * one domain port (`SagaStepParticipant`), and the kit derives its command and event adapters
 * from the trip's definitions, with the services' own fault semantics. Payloads are trusted
 * here: the services check theirs against their DTOs.
 */

class FlightStep implements SagaStepParticipant<ReserveFlight, FlightReserved, CancelFlight> {
  constructor(private readonly flights: InMemoryFlights) {}
  run(request: ReserveFlight) {
    return this.flights.reserve(request);
  }
  undo(request: CancelFlight) {
    return this.flights.cancel(request.bookingId);
  }
}

class HotelStep implements SagaStepParticipant<ReserveHotel, HotelReserved, CancelHotel> {
  constructor(private readonly hotels: InMemoryHotels) {}
  run(request: ReserveHotel) {
    return this.hotels.reserve(request);
  }
  undo(request: CancelHotel) {
    return this.hotels.cancel(request.bookingId);
  }
}

class CarStep implements SagaStepParticipant<ReserveCar, CarReserved, CancelCar> {
  constructor(private readonly cars: InMemoryCars) {}
  run(request: ReserveCar) {
    return this.cars.reserve(request);
  }
  undo(request: CancelCar) {
    return this.cars.cancel(request.bookingId);
  }
}

class PaymentStep implements SagaStepParticipant<ChargePayment, PaymentCharged, RefundPayment> {
  constructor(private readonly payments: InMemoryPayments) {}
  run(request: ChargePayment) {
    return this.payments.charge(request);
  }
  undo(request: RefundPayment) {
    return this.payments.refund(request.bookingId);
  }
}

/** The step's adapter, as `SagaParticipantModule` mounts it in a service. */
function adapterOf(step: TripParticipant, participant: SagaStepParticipant): object {
  return sagaStepAdapter(tripStepBinding(step), participant);
}

/** A participant service running on the in-memory adapters: its inbox, outbox and relay. */
export interface RunningParticipant {
  name: string;
  inbox: InMemoryInbox;
  stop(): Promise<void>;
}

/**
 * Starts one service's command and event dispatchers over `transport`, as `SagaModule` does;
 * with no `SagaMessageServer` to start them, they call the adapters' methods as they are.
 */
async function startService(
  name: string,
  channel: string,
  handlers: object,
  transport: MessageTransport,
  replyQueue: string,
): Promise<RunningParticipant> {
  const inbox = new InMemoryInbox();
  const relay = new OutboxRelay(inbox.outbox, transport, { pollIntervalMs: 3_600_000 });
  const options: SagaCoreOptions = {
    serviceName: `${name}-service`,
    amqpUrl: 'memory://',
    participant: { channel, replyQueues: [replyQueue] },
    choreography: {},
  };
  const wrapper = { instance: handlers, isDependencyTreeStatic: () => true };
  const discovery = {
    getProviders: () => [wrapper],
    getControllers: () => [],
  } as unknown as DiscoveryService;
  const faults = new FaultRules(options);
  const scanner = new MetadataScanner();
  relay.start();
  await new ParticipantDispatcher(
    new InboundDeps(options, transport, relay, inbox, discovery, scanner, faults),
  ).start();
  await new ChoreographyDispatcher(
    new InboundDeps(options, transport, relay, inbox, discovery, scanner, faults),
  ).start();
  return { name, inbox, stop: () => relay.stop() };
}

/** The participants of the trip, started on `transport`. */
export async function startTripParticipants(
  domain: {
    flights: InMemoryFlights;
    hotels: InMemoryHotels;
    cars: InMemoryCars;
    payments: InMemoryPayments;
  },
  transport: MessageTransport,
  replyQueue: string,
): Promise<RunningParticipant[]> {
  return [
    await startService(
      'flight',
      FLIGHT_COMMANDS,
      adapterOf('flight', new FlightStep(domain.flights)),
      transport,
      replyQueue,
    ),
    await startService(
      'hotel',
      HOTEL_COMMANDS,
      adapterOf('hotel', new HotelStep(domain.hotels)),
      transport,
      replyQueue,
    ),
    await startService(
      'car',
      CAR_COMMANDS,
      adapterOf('car', new CarStep(domain.cars)),
      transport,
      replyQueue,
    ),
    await startService(
      'payment',
      PAYMENT_COMMANDS,
      adapterOf('payment', new PaymentStep(domain.payments)),
      transport,
      replyQueue,
    ),
  ];
}
