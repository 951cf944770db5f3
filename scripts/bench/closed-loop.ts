import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BookingClient } from '../support/booking-client';
import { BookingMode } from '../support/booking-mode';
import { BookingRequest } from '../support/booking-request';

const TERMINAL = new Set(['CONFIRMED', 'CANCELLED', 'COMPENSATION_FAILED']);
/** The longest `?wait=` the orchestrator takes. */
const WAIT_SECONDS = 30;

/** One booking as a loop saw it; times in ms on the performance clock. */
export interface BookingSample {
  startedAt: number;
  endedAt: number;
  latencyMs: number;
  /** A terminal status, or ERROR when the API failed or the booking did not end in time. */
  status: string;
}

export interface ClosedLoopOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** The next booking to start, and in which mode. */
  next: () => { mode: BookingMode; request: BookingRequest };
  /** Read the counters at the start and the end of the measured window, load still running. */
  snapshot: () => Promise<void>;
  onBooking?: (sample: BookingSample) => void;
}

export interface ClosedLoopRun {
  /** The measured window, between the two snapshots (performance clock). */
  windowStart: number;
  windowEnd: number;
  /** Bookings that ended inside the window. */
  samples: BookingSample[];
}

/**
 * `concurrency` loops, each starting a booking as soon as its last one ended and following it
 * with `GET /bookings/:id?wait=`. The counters are read once the warm-up is over and again
 * when the duration has passed, while the load still runs, so both reads see a steady state;
 * then the loops stop starting bookings and the ones in flight are let finish.
 */
export async function runClosedLoop(
  client: BookingClient,
  options: ClosedLoopOptions,
): Promise<ClosedLoopRun> {
  const all: BookingSample[] = [];
  let stopping = false;
  const loop = async (): Promise<void> => {
    while (!stopping) {
      const { mode, request } = options.next();
      const sample = await oneBooking(client, mode, request);
      all.push(sample);
      options.onBooking?.(sample);
      // An API that fails at once would otherwise spin this loop.
      if (sample.status === 'ERROR') await sleep(100);
    }
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  await sleep(options.warmupMs);
  await options.snapshot();
  const windowStart = performance.now();
  await sleep(options.durationMs);
  const windowEnd = performance.now();
  await options.snapshot();
  stopping = true;
  await Promise.all(loops);
  return {
    windowStart,
    windowEnd,
    samples: all.filter((s) => s.endedAt >= windowStart && s.endedAt < windowEnd),
  };
}

async function oneBooking(
  client: BookingClient,
  mode: BookingMode,
  request: BookingRequest,
): Promise<BookingSample> {
  const startedAt = performance.now();
  const done = (status: string): BookingSample => {
    const endedAt = performance.now();
    return { startedAt, endedAt, latencyMs: endedAt - startedAt, status };
  };
  try {
    const bookingId = await client.create(mode, request, randomUUID());
    for (let attempt = 0; attempt < 4; attempt++) {
      const snapshot = await client.get(bookingId, WAIT_SECONDS);
      if (snapshot && TERMINAL.has(snapshot.status)) return done(snapshot.status);
    }
    return done('ERROR');
  } catch {
    return done('ERROR');
  }
}
