import { RetryableStepError, TerminalStepError } from '@app/saga-core';
import { TripErrorCode, TripFault } from './trip-fault';
import { TripParticipant } from './trip-participants';
import { TripRefusedError } from './trip-refused.error';

/** What a fault needs from the delivery it arrived with. */
export interface ReplyControl {
  suppressReply(): void;
}

/**
 * Runs a participant's forward step as the booking's fault asks: `fail` refuses before any
 * work, `timeout` does the work and drops the answer. A domain refusal becomes a terminal step
 * error carrying its code; anything else (an outage) propagates, so the message is retried.
 */
export async function runTripStep<T>(
  participant: TripParticipant,
  fault: TripFault | undefined,
  delivery: ReplyControl,
  work: () => Promise<T>,
): Promise<T> {
  if (fault === TripFault.FAIL) {
    throw new TerminalStepError(
      TripErrorCode.INJECTED_FAILURE,
      `Injected failure of the ${participant}`,
    );
  }
  try {
    const result = await work();
    if (fault === TripFault.TIMEOUT) delivery.suppressReply();
    return result;
  } catch (error) {
    if (error instanceof TripRefusedError) throw new TerminalStepError(error.code, error.message);
    throw error;
  }
}

/** Runs a compensation; `fail-compensation` makes it fail, retryably, without doing anything. */
export async function runTripCompensation(
  participant: TripParticipant,
  fault: TripFault | undefined,
  work: () => Promise<void>,
): Promise<void> {
  if (fault === TripFault.FAIL_COMPENSATION) {
    throw new RetryableStepError(
      TripErrorCode.INJECTED_COMPENSATION_FAILURE,
      `Injected failure of the ${participant} compensation`,
    );
  }
  await work();
}
