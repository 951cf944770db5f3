import { AuditLine, BookingClient } from '../support/booking-client';
import { compensationMs } from './compensation-time';
import { DatabaseWrites } from './database-writes';
import { FlowSample, flowsFromRun } from './flow-samples';
import { mapLimit } from '../support/map-limit';
import { ModeMeasurements, measureMode } from './measurements';
import { countMessages } from './message-count';
import { BookingRecord, ModeRun, TERMINAL_STATUSES } from './runner';
import { TripDatabaseUrls, tripViolations } from '../support/trip-invariants';

/**
 * Once a mode's run has ended: counts its messages, reads the audit logs of its cancelled
 * bookings (time to compensate, flows to draw) and checks the invariants on its bookings.
 */
export async function observeMode(
  client: BookingClient,
  databases: TripDatabaseUrls,
  run: ModeRun,
  writes: DatabaseWrites,
): Promise<{ measurements: ModeMeasurements; flows: FlowSample[] }> {
  const ended = run.records.filter(
    (r): r is BookingRecord & { bookingId: string } =>
      r.bookingId !== null && TERMINAL_STATUSES.has(r.status),
  );
  const cancelled = ended.filter((r) => r.status === 'CANCELLED');
  const audits = new Map<string, AuditLine[]>();
  await mapLimit(cancelled, 8, async (r) =>
    audits.set(r.bookingId, await client.audit(r.bookingId)),
  );
  const started = run.records.flatMap((r) => (r.bookingId ? [r.bookingId] : []));
  const [messages, violations, flows] = await Promise.all([
    countMessages(databases, started),
    tripViolations(databases, ended),
    flowsFromRun(client, ended, audits),
  ]);
  const compensation = cancelled
    .map((r) => compensationMs(audits.get(r.bookingId) ?? []))
    .filter((ms): ms is number => ms !== null);
  return {
    measurements: measureMode({ run, messages, writes, compensationMs: compensation, violations }),
    flows,
  };
}
