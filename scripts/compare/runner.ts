import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BookingClient, BookingSnapshot } from '../support/booking-client';
import { BookingMode } from './compare.options';
import { ModeUnavailableError } from '../support/mode-unavailable.error';
import { PlannedBooking, Scenario } from './workload';

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
  'CONFIRMED',
  'CANCELLED',
  'COMPENSATION_FAILED',
]);

/** How a booking went, as the client saw it. */
export interface BookingRecord {
  index: number;
  mode: BookingMode;
  scenario: Scenario;
  bookingId: string | null;
  /** A terminal status, or UNFINISHED (pending at the deadline) or ERROR (the API failed). */
  status: string;
  startedAt: string;
  endedAt: string;
  /** From the POST to the first read of a terminal status. */
  latencyMs: number;
  /** `updatedAt − createdAt` as the orchestrator recorded them: no polling delay in it. */
  serverLatencyMs: number | null;
  error?: string;
}

export interface ModeRun {
  mode: BookingMode;
  startedAt: string;
  endedAt: string;
  wallMs: number;
  records: BookingRecord[];
}

export interface RunModeOptions {
  concurrency: number;
  pollIntervalMs: number;
  bookingTimeoutMs: number;
  /** Called as each booking ends; `done` counts the ended ones. */
  onSettled?: (record: BookingRecord, done: number) => void;
}

/**
 * `GET /bookings/:id?wait=` holds the read until the booking ends, so the end is seen at once;
 * an orchestrator without it answers at once, and the runner polls.
 */
const WAIT_SECONDS = 10;
/** Reads that may fail in a row (a restart, a hiccup) before a booking is given up as ERROR. */
const MAX_READ_ERRORS = 5;

/**
 * Runs the workload in one mode, closed-loop: `concurrency` workers each start their next
 * booking, follow it to its end, then take the next. Resolves once every booking has ended.
 */
export async function runMode(
  client: BookingClient,
  mode: BookingMode,
  workload: readonly PlannedBooking[],
  options: RunModeOptions,
): Promise<ModeRun> {
  const records: BookingRecord[] = new Array<BookingRecord>(workload.length);
  let next = 0;
  let done = 0;
  let unavailable: ModeUnavailableError | undefined;
  const startedAt = new Date();
  const t0 = performance.now();

  const worker = async (): Promise<void> => {
    while (!unavailable && next < workload.length) {
      const planned = workload[next++];
      try {
        records[planned.index] = await runBooking(client, mode, planned, options);
      } catch (error) {
        if (error instanceof ModeUnavailableError) unavailable = error;
        else throw error;
        return;
      }
      options.onSettled?.(records[planned.index], ++done);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, workload.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (unavailable) throw unavailable;

  return {
    mode,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    wallMs: performance.now() - t0,
    records,
  };
}

async function runBooking(
  client: BookingClient,
  mode: BookingMode,
  planned: PlannedBooking,
  options: RunModeOptions,
): Promise<BookingRecord> {
  const startedAt = new Date();
  const t0 = performance.now();
  const record = (fields: Partial<BookingRecord> & { status: string }): BookingRecord => ({
    index: planned.index,
    mode,
    scenario: planned.scenario,
    bookingId: null,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    latencyMs: performance.now() - t0,
    serverLatencyMs: null,
    ...fields,
  });

  let bookingId: string;
  try {
    bookingId = await client.create(mode, planned.request, randomUUID());
  } catch (error) {
    if (error instanceof ModeUnavailableError) throw error;
    return record({ status: 'ERROR', error: message(error) });
  }

  const deadline = t0 + options.bookingTimeoutMs;
  let readErrors = 0;
  for (;;) {
    const asked = performance.now();
    let snapshot: BookingSnapshot | null = null;
    try {
      const left = Math.ceil((deadline - asked) / 1000);
      snapshot = await client.get(bookingId, Math.max(1, Math.min(WAIT_SECONDS, left)));
      readErrors = 0;
    } catch (error) {
      if (++readErrors >= MAX_READ_ERRORS) {
        return record({ bookingId, status: 'ERROR', error: message(error) });
      }
    }
    if (snapshot && TERMINAL_STATUSES.has(snapshot.status)) {
      return record({
        bookingId,
        status: snapshot.status,
        serverLatencyMs: serverLatency(snapshot),
      });
    }
    if (performance.now() >= deadline) return record({ bookingId, status: 'UNFINISHED' });
    await sleep(Math.max(0, options.pollIntervalMs - (performance.now() - asked)));
  }
}

function serverLatency(snapshot: BookingSnapshot): number | null {
  if (!snapshot.createdAt || !snapshot.updatedAt) return null;
  const ms = Date.parse(snapshot.updatedAt) - Date.parse(snapshot.createdAt);
  return Number.isFinite(ms) ? ms : null;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
