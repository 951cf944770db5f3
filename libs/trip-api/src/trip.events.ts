import { EventEndpoint, eventEndpoint, StepEventRefs, StepEvents } from '@app/saga-core';
import { TripBooking } from './trip-booking';
import {
  TRIP_EVENT_VOCABULARY,
  TRIP_PARTICIPANTS,
  TripEventVocabulary,
  TripParticipant,
} from './trip-participants';

/** The topic exchange of the choreographed trip booking; routing key = event type. */
export const TRIP_EVENTS_EXCHANGE = 'trip.events';

const tripEvent = (type: string) => eventEndpoint<TripBooking>(TRIP_EVENTS_EXCHANGE, type);

type StepEventKind = keyof StepEventRefs;

/**
 * How a participant's events name its work and its undo: `trip.<participant>.<name>`. The
 * names stay as they were first written by hand, since stored definitions and in-flight
 * events carry them; `TRIP_EVENT_VOCABULARY` says which one each participant speaks.
 */
const VOCABULARIES = {
  reservation: {
    succeeded: 'reserved',
    failed: 'reservation-failed',
    compensated: 'cancelled',
    compensationFailed: 'cancellation-failed',
    compensationRequested: 'cancellation-requested',
  },
  charge: {
    succeeded: 'charged',
    failed: 'failed',
    compensated: 'refunded',
    compensationFailed: 'refund-failed',
    compensationRequested: 'refund-requested',
  },
} as const satisfies Record<TripEventVocabulary, Record<StepEventKind, string>>;

type Vocabulary<P extends TripParticipant> =
  (typeof VOCABULARIES)[(typeof TRIP_EVENT_VOCABULARY)[P]];
type PascalCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${PascalCase<Tail>}`
  : Capitalize<S>;
/** `flightReserved`, `paymentRefundFailed`, …: the participant, then its event's name. */
type ParticipantEventKey = {
  [P in TripParticipant]: `${P}${PascalCase<Vocabulary<P>[StepEventKind]>}`;
}[TripParticipant];

const pascalCase = (name: string) =>
  name.replace(/(^|-)(\w)/g, (_, __: string, letter: string) => letter.toUpperCase());

const stepEventsOf = (participant: TripParticipant): StepEvents<TripBooking> => {
  const names: Record<StepEventKind, string> = VOCABULARIES[TRIP_EVENT_VOCABULARY[participant]];
  const event = (kind: StepEventKind) => tripEvent(`trip.${participant}.${names[kind]}`);
  return {
    succeeded: event('succeeded'),
    failed: event('failed'),
    compensated: event('compensated'),
    compensationFailed: event('compensationFailed'),
    compensationRequested: event('compensationRequested'),
  };
};

/**
 * Each step's events, by step: the choreographed trip is derived from the trip booking saga's
 * steps and these (see `choreographyTopology` for who then reacts to which).
 */
export const TRIP_STEP_EVENTS: Readonly<Record<TripParticipant, StepEvents<TripBooking>>> =
  Object.fromEntries(TRIP_PARTICIPANTS.map((name) => [name, stepEventsOf(name)])) as Record<
    TripParticipant,
    StepEvents<TripBooking>
  >;

const keyedEventsOf = (participant: TripParticipant) => {
  const names: Record<StepEventKind, string> = VOCABULARIES[TRIP_EVENT_VOCABULARY[participant]];
  const events = TRIP_STEP_EVENTS[participant];
  return (Object.keys(names) as StepEventKind[]).map(
    (kind) => [`${participant}${pascalCase(names[kind])}`, events[kind]] as const,
  );
};

/**
 * The choreographed flow. Forward: requested → flight → hotel → payment. A failure goes
 * back up the chain, each service undoing its own work and saying so; a booking that stalls
 * is cancelled by the orchestrator's deadline watcher, and the undo runs from payment back.
 *
 * | event                           | published by   | reacted to by          |
 * | ------------------------------- | -------------- | ---------------------- |
 * | trip.booking.requested          | orchestrator   | flight                 |
 * | trip.flight.reserved            | flight         | hotel                  |
 * | trip.hotel.reserved             | hotel          | payment                |
 * | trip.payment.charged            | payment        | (booking confirmed)    |
 * | trip.flight.reservation-failed  | flight         | (booking cancelled)    |
 * | trip.hotel.reservation-failed   | hotel          | flight (cancel)        |
 * | trip.payment.failed             | payment        | hotel (cancel)         |
 * | trip.booking.cancellation-requested | orchestrator (deadline) | payment (refund) |
 * | trip.payment.refunded / refund-failed | payment  | hotel (cancel)         |
 * | trip.hotel.cancelled / cancellation-failed | hotel | flight (cancel)      |
 * | trip.flight.cancelled / cancellation-failed | flight | (booking ends)     |
 * | trip.flight.cancellation-requested  | orchestrator (undo stalled) | flight (cancel) |
 * | trip.hotel.cancellation-requested   | orchestrator (undo stalled) | hotel (cancel)  |
 * | trip.payment.refund-requested       | orchestrator (undo stalled) | payment (refund) |
 *
 * The last three ask one participant for its undo when the undo chain stalls on it (an event
 * lost, dead-lettered or never published) or when an operator retries a failed undo; it
 * answers with its own cancelled / cancellation-failed (refunded / refund-failed) event, which
 * sets off the step before it as usual.
 */
export const TripEvents = {
  bookingRequested: tripEvent('trip.booking.requested'),
  cancellationRequested: tripEvent('trip.booking.cancellation-requested'),
  ...(Object.fromEntries(TRIP_PARTICIPANTS.flatMap(keyedEventsOf)) as Record<
    ParticipantEventKey,
    EventEndpoint<TripBooking>
  >),
} as const;
