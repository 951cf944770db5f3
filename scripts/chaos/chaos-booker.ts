import { setTimeout as sleep } from 'node:timers/promises';
import { BookingClient } from '../support/booking-client';
import { TERMINAL_STATUSES } from '../compare/runner';
import { ChaosBooking } from './chaos-workload';

/** How a booking went, as the run saw it; `status` is filled in at the end from the database. */
export interface BookingOutcomeRecord {
  index: number;
  mode: string;
  faults: string[];
  bookingId: string | null;
  /** The orchestrator process that accepted it. */
  acceptedBy: string | null;
  /** POSTs it took (a refused or lost one is tried again with the same Idempotency-Key). */
  postAttempts: number;
  status: string;
  /** An error of the last failed POST, when none succeeded. */
  error?: string;
}

/** The orchestrators, by process name; any of them may be down for a while. */
export interface Orchestrator {
  name: string;
  client: BookingClient;
}

/** A booking is followed this long by its worker; the final wait covers the rest. */
const FOLLOW_MS = 30_000;

/**
 * Sends one booking with its own Idempotency-Key, trying the orchestrators in turn until one
 * accepts it (a kill or an outage may refuse or lose a POST; the key makes the retry safe),
 * then follows it to its end for a while so that the run keeps `concurrency` sagas in flight.
 */
export async function sendBooking(
  booking: ChaosBooking,
  orchestrators: readonly Orchestrator[],
  runId: string,
  deadline: number,
): Promise<BookingOutcomeRecord> {
  const record: BookingOutcomeRecord = {
    index: booking.index,
    mode: booking.mode,
    faults: booking.faults,
    bookingId: null,
    acceptedBy: null,
    postAttempts: 0,
    status: 'NOT_ACCEPTED',
  };
  const key = `${runId}-${booking.index}`;
  for (let turn = booking.index; Date.now() < deadline; turn++) {
    const orchestrator = orchestrators[turn % orchestrators.length];
    record.postAttempts++;
    try {
      record.bookingId = await orchestrator.client.create(booking.mode, booking.request, key);
      record.acceptedBy = orchestrator.name;
      record.status = 'PENDING';
      delete record.error;
      break;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      await sleep(250);
    }
  }
  if (record.bookingId) await follow(record.bookingId, orchestrators, booking.index, deadline);
  return record;
}

async function follow(
  bookingId: string,
  orchestrators: readonly Orchestrator[],
  turn: number,
  deadline: number,
): Promise<void> {
  const until = Math.min(deadline, Date.now() + FOLLOW_MS);
  while (Date.now() < until) {
    const { client } = orchestrators[turn++ % orchestrators.length];
    try {
      const seconds = Math.max(1, Math.min(10, Math.floor((until - Date.now()) / 1000)));
      const snapshot = await client.get(bookingId, seconds);
      if (snapshot && TERMINAL_STATUSES.has(snapshot.status)) return;
    } catch {
      await sleep(250);
    }
  }
}
