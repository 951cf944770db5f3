import { EventContext, EventEndpoint, RetryableStepError, TerminalStepError } from '@app/saga-core';
import { TripBooking } from './trip-booking';
import { TripParticipant } from './trip-fault';
import { runTripCompensation, runTripStep } from './trip-step.runner';

/** The events a forward step announces, and what its result adds to the booking. */
export interface ForwardEvents<T> {
  succeeded: EventEndpoint<TripBooking>;
  failed: EventEndpoint<TripBooking>;
  enrich: (trip: TripBooking, result: T) => TripBooking;
}

/** The events a compensation announces. */
export interface CompensationEvents {
  done: EventEndpoint<TripBooking>;
  failed: EventEndpoint<TripBooking>;
}

/** Deliveries of one event a compensation gets before its service gives up and says so. */
export const COMPENSATION_MAX_ATTEMPTS = 5;

/**
 * A participant's forward step in the choreographed trip, with the fault semantics of the
 * command path (`runTripStep`): success announces `succeeded` with what it priced; an injected
 * `fail` or a business refusal announces `failed` with the reason (the work, in its own
 * savepoint, is undone); `timeout` commits the work and announces nothing, so the booking
 * stalls until the orchestrator's deadline watcher cancels it. Any other error (an outage, or
 * a runtime `fail` rule) propagates: the transaction rolls back and the event is delivered
 * again. A runtime `refuse` rule is a refusal like any other.
 */
export async function reactForward<T>(
  participant: TripParticipant,
  ctx: EventContext,
  trip: TripBooking,
  work: () => Promise<T>,
  on: ForwardEvents<T>,
): Promise<void> {
  let silenced = false;
  const delivery = { suppressReply: () => (silenced = true) };
  let result: T;
  try {
    result = await runTripStep(participant, trip.faults[participant], delivery, () => {
      ctx.raiseInjectedFault();
      return work();
    });
  } catch (error) {
    if (!(error instanceof TerminalStepError)) throw error;
    // The plain message, as the orchestrated saga records it, so both modes read alike.
    ctx.publish(on.failed, { ...trip, reason: error.message });
    return;
  }
  if (!silenced) ctx.publish(on.succeeded, on.enrich(trip, result));
}

/**
 * A participant's compensation in the choreographed trip (`runTripCompensation`): success
 * announces `done`, passing the booking on unchanged (its `reason` still says why it is undone).
 *
 * There is no orchestrator to schedule a retry, so a failed compensation is retried by the
 * broker: the error propagates, the transaction rolls back, and the same event is delivered
 * again at once — without backoff, unlike the orchestrated saga. On its `maxAttempts`-th
 * delivery the service gives up and announces `failed`, which lets the chain go on undoing
 * the steps before it and leaves this one for an operator. `maxAttempts` must stay within the
 * queue's delivery limit, or the event is dead-lettered before `failed` is ever announced.
 */
export async function reactCompensation(
  participant: TripParticipant,
  ctx: EventContext,
  trip: TripBooking,
  work: () => Promise<void>,
  on: CompensationEvents,
  maxAttempts = COMPENSATION_MAX_ATTEMPTS,
): Promise<void> {
  try {
    await runTripCompensation(participant, trip.faults[participant], () => {
      ctx.raiseInjectedFault();
      return work();
    });
  } catch (error) {
    // A refused undo is retried too, as the orchestrated saga retries any failed compensation.
    const stepError = error instanceof RetryableStepError || error instanceof TerminalStepError;
    if (!stepError || ctx.deliveryCount < maxAttempts) throw error;
    ctx.publish(on.failed, { ...trip, reason: error.message });
    return;
  }
  ctx.publish(on.done, trip);
}
