import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  ChoreographyDispatcher,
  CommandContext,
  CommandHandler,
  EventContext,
  EventHandler,
  EventMessage,
  FaultRules,
  MessageTransport,
  OutboxRelay,
  ParticipantDispatcher,
  RetryThenGiveUp,
  SagaCoreOptions,
} from '@app/saga-core';
import { InMemoryInbox } from '@app/saga-core/testing';
import {
  CancelFlight,
  CancelHotel,
  FLIGHT_COMMANDS,
  FlightEndpoints,
  HOTEL_COMMANDS,
  HotelEndpoints,
  PAYMENT_COMMANDS,
  PaymentEndpoints,
  RefundPayment,
  ReserveFlight,
  ReserveHotel,
  ChargePayment,
  reactCompensation,
  reactForward,
  runTripCompensation,
  runTripStep,
  tripAmount,
  tripBookingOf,
  TripEvents,
  withPrice,
} from '@app/trip-api';
import { InMemoryFlights, InMemoryHotels, InMemoryPayments } from './trip-participants.in-memory';

/**
 * The only file that knows the participant kit's handler API (`@CommandHandler`,
 * `@EventHandler`, the dispatchers): each class is a service's command and event handlers in
 * one, delegating to the in-memory domain services with the services' own fault semantics
 * (`runTripStep`, `reactForward`…). Payloads are trusted here: the services validate theirs.
 */

class FlightHandlers {
  constructor(private readonly flights: InMemoryFlights) {}

  @CommandHandler(FlightEndpoints.reserve)
  reserve(payload: ReserveFlight, ctx: CommandContext) {
    return runTripStep('flight', payload.fault, ctx, () => this.flights.reserve(payload));
  }

  @CommandHandler(FlightEndpoints.cancel)
  cancel(payload: CancelFlight) {
    return runTripCompensation('flight', payload.fault, () =>
      this.flights.cancel(payload.bookingId),
    );
  }

  @EventHandler(TripEvents.bookingRequested)
  onRequested(event: EventMessage, ctx: EventContext) {
    const trip = tripBookingOf(event);
    const request = { bookingId: trip.bookingId, ...trip.flight };
    return reactForward('flight', ctx, trip, () => this.flights.reserve(request), {
      succeeded: TripEvents.flightReserved,
      failed: TripEvents.flightReservationFailed,
      enrich: (booking, reserved) => withPrice(booking, 'flight', reserved.price),
    });
  }

  @EventHandler(
    TripEvents.hotelReservationFailed,
    TripEvents.hotelCancelled,
    TripEvents.hotelCancellationFailed,
    TripEvents.flightCancellationRequested,
  )
  @RetryThenGiveUp()
  onUndo(event: EventMessage, ctx: EventContext) {
    const trip = tripBookingOf(event);
    return reactCompensation('flight', ctx, trip, () => this.flights.cancel(trip.bookingId), {
      done: TripEvents.flightCancelled,
      failed: TripEvents.flightCancellationFailed,
    });
  }
}

class HotelHandlers {
  constructor(private readonly hotels: InMemoryHotels) {}

  @CommandHandler(HotelEndpoints.reserve)
  reserve(payload: ReserveHotel, ctx: CommandContext) {
    return runTripStep('hotel', payload.fault, ctx, () => this.hotels.reserve(payload));
  }

  @CommandHandler(HotelEndpoints.cancel)
  cancel(payload: CancelHotel) {
    return runTripCompensation('hotel', payload.fault, () => this.hotels.cancel(payload.bookingId));
  }

  @EventHandler(TripEvents.flightReserved)
  onFlightReserved(event: EventMessage, ctx: EventContext) {
    const trip = tripBookingOf(event);
    const request = { bookingId: trip.bookingId, ...trip.hotel };
    return reactForward('hotel', ctx, trip, () => this.hotels.reserve(request), {
      succeeded: TripEvents.hotelReserved,
      failed: TripEvents.hotelReservationFailed,
      enrich: (booking, reserved) => withPrice(booking, 'hotel', reserved.price),
    });
  }

  @EventHandler(
    TripEvents.paymentFailed,
    TripEvents.paymentRefunded,
    TripEvents.paymentRefundFailed,
    TripEvents.hotelCancellationRequested,
  )
  @RetryThenGiveUp()
  onUndo(event: EventMessage, ctx: EventContext) {
    const trip = tripBookingOf(event);
    return reactCompensation('hotel', ctx, trip, () => this.hotels.cancel(trip.bookingId), {
      done: TripEvents.hotelCancelled,
      failed: TripEvents.hotelCancellationFailed,
    });
  }
}

class PaymentHandlers {
  constructor(private readonly payments: InMemoryPayments) {}

  @CommandHandler(PaymentEndpoints.charge)
  charge(payload: ChargePayment, ctx: CommandContext) {
    return runTripStep('payment', payload.fault, ctx, () => this.payments.charge(payload));
  }

  @CommandHandler(PaymentEndpoints.refund)
  refund(payload: RefundPayment) {
    return runTripCompensation('payment', payload.fault, () =>
      this.payments.refund(payload.bookingId),
    );
  }

  @EventHandler(TripEvents.hotelReserved)
  onHotelReserved(event: EventMessage, ctx: EventContext) {
    const trip = tripBookingOf(event);
    const amount = tripAmount(trip);
    const request = { bookingId: trip.bookingId, customerId: trip.customerId, amount };
    return reactForward('payment', ctx, trip, () => this.payments.charge(request), {
      succeeded: TripEvents.paymentCharged,
      failed: TripEvents.paymentFailed,
      enrich: (booking) => booking,
    });
  }

  @EventHandler(TripEvents.cancellationRequested, TripEvents.paymentRefundRequested)
  @RetryThenGiveUp()
  onUndo(event: EventMessage, ctx: EventContext) {
    const trip = tripBookingOf(event);
    return reactCompensation('payment', ctx, trip, () => this.payments.refund(trip.bookingId), {
      done: TripEvents.paymentRefunded,
      failed: TripEvents.paymentRefundFailed,
    });
  }
}

/** A participant service running on the in-memory adapters: its inbox, outbox and relay. */
export interface RunningParticipant {
  inbox: InMemoryInbox;
  stop(): Promise<void>;
}

/** Starts one service's command and event dispatchers over `transport`, as `SagaModule` does. */
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
    options,
    transport,
    relay,
    inbox,
    discovery,
    scanner,
    faults,
  ).start();
  await new ChoreographyDispatcher(
    options,
    transport,
    relay,
    inbox,
    discovery,
    scanner,
    faults,
  ).start();
  return { inbox, stop: () => relay.stop() };
}

/** The three participants of the trip, started on `transport`. */
export async function startTripParticipants(
  domain: { flights: InMemoryFlights; hotels: InMemoryHotels; payments: InMemoryPayments },
  transport: MessageTransport,
  replyQueue: string,
): Promise<RunningParticipant[]> {
  return [
    await startService(
      'flight',
      FLIGHT_COMMANDS,
      new FlightHandlers(domain.flights),
      transport,
      replyQueue,
    ),
    await startService(
      'hotel',
      HOTEL_COMMANDS,
      new HotelHandlers(domain.hotels),
      transport,
      replyQueue,
    ),
    await startService(
      'payment',
      PAYMENT_COMMANDS,
      new PaymentHandlers(domain.payments),
      transport,
      replyQueue,
    ),
  ];
}
