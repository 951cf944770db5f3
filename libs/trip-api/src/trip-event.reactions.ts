import { EventContext, EventEndpoint, TerminalStepError } from '@app/saga-core';
import { TripBooking } from './trip-booking';
import { TripParticipant } from './trip-participants';
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
 * There is no orchestrator to schedule a retry: the handler is marked `@RetryThenGiveUp`, so
 * a failed undo (for any reason but an outage or poison) rolls back and the event comes again
 * after a backoff; once its tries are spent, the dispatcher calls the handler with
 * `ctx.givingUp`, and it announces `failed` with the last error's message instead of working.
 * That lets the chain go on undoing the steps before it and leaves this one for an operator.
 */
export async function reactCompensation(
  participant: TripParticipant,
  ctx: EventContext,
  trip: TripBooking,
  work: () => Promise<void>,
  on: CompensationEvents,
): Promise<void> {
  if (ctx.givingUp) {
    ctx.publish(on.failed, { ...trip, reason: ctx.givingUp.reason });
    return;
  }
  await runTripCompensation(participant, trip.faults[participant], () => {
    ctx.raiseInjectedFault();
    return work();
  });
  ctx.publish(on.done, trip);
}
