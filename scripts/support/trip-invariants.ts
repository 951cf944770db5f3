import { tripParticipantProfiles } from '@app/trip-api';
import { queryRows } from './pg-query';

import { TripDatabaseUrls } from './trip-endpoints';

export type { TripDatabaseUrls } from './trip-endpoints';

/** A booking and the status its saga ended in. */
export interface BookingOutcome {
  bookingId: string;
  status: string;
  /** The steps it ran or may have run: not SKIPPED nor INACTIVE; every participant when not known. */
  takes?: readonly string[];
}

/**
 * The contract's invariants, checked on the participants' own databases once every booking
 * has ended: stock and balances add up to the live reservations and charges, each confirmed
 * booking holds what each of its steps took, each cancelled one holds nothing. `bookings` defaults to every saga
 * the orchestrator knows, in either mode. Returns one line per violation.
 */
export async function tripViolations(
  databases: TripDatabaseUrls,
  bookings?: readonly BookingOutcome[],
): Promise<string[]> {
  const steps = await stepsTaken(databases.orchestrator);
  const outcomes = (bookings ?? (await sagaOutcomes(databases.orchestrator))).map((b) => ({
    ...b,
    takes: b.takes ?? steps.get(b.bookingId),
  }));
  return [...(await stockViolations(databases)), ...(await bookingViolations(databases, outcomes))];
}

async function stockViolations(databases: TripDatabaseUrls): Promise<string[]> {
  const found = await Promise.all(
    tripParticipantProfiles().map(async ({ name, ledger }) => {
      const rows = await queryRows<{ id: string; used: string; held: string }>(
        databases[name],
        ledger.sql,
      );
      return rows
        .filter((row) => Number(row.used) !== Number(row.held))
        .map(
          (row) =>
            `${ledger.what} ${row.id}: ${row.used} ${ledger.used} but ${row.held} ${ledger.held}`,
        );
    }),
  );
  return found.flat();
}

async function bookingViolations(
  databases: TripDatabaseUrls,
  bookings: readonly BookingOutcome[],
): Promise<string[]> {
  const ids = bookings.map((b) => b.bookingId);
  // A tombstone (an undo that came before the work, with no flight, hotel or customer) is the
  // participant's bookkeeping: the contract counts it as absent, and so does this check.
  const profiles = tripParticipantProfiles();
  const statuses = await Promise.all(
    profiles.map(async ({ name, holding }) => {
      const rows = await queryRows<{ id: string; status: string }>(
        databases[name],
        `SELECT booking_id AS id, status FROM ${holding.table}
          WHERE booking_id = ANY($1::text[]) AND ${holding.owner} IS NOT NULL`,
        [ids],
      );
      return new Map(rows.map((r) => [r.id, r.status]));
    }),
  );
  const violations: string[] = [];
  for (const { bookingId, status, takes } of bookings) {
    const held = Object.fromEntries(
      profiles.map(({ name }, i) => [name, statuses[i].get(bookingId)]),
    );
    const holds = profiles.map(({ holding }, i) => statuses[i].get(bookingId) === holding.held);
    // A step the booking did not ask for (an optional one it left out) holds nothing.
    const asked = profiles.map(({ name }) => !takes || takes.includes(name));
    if (status === 'CONFIRMED' && holds.some((h, i) => h !== asked[i])) {
      violations.push(`CONFIRMED ${bookingId} holds ${JSON.stringify(held)}`);
    }
    if (status === 'CANCELLED' && holds.some(Boolean)) {
      violations.push(`CANCELLED ${bookingId} still holds ${JSON.stringify(held)}`);
    }
  }
  return violations;
}

function sagaOutcomes(orchestratorUrl: string): Promise<BookingOutcome[]> {
  return queryRows<BookingOutcome>(
    orchestratorUrl,
    `SELECT id::text AS "bookingId", status FROM saga_instances`,
  );
}

/**
 * The steps each saga ran or may have run: all but those it SKIPPED (it ended before them) and
 * those that do not apply to it (INACTIVE: an optional step it did not ask for).
 */
async function stepsTaken(orchestratorUrl: string): Promise<Map<string, string[]>> {
  const rows = await queryRows<{ id: string; takes: string[] }>(
    orchestratorUrl,
    `SELECT saga_id::text AS id, array_agg(name) AS takes
       FROM saga_step_states WHERE status NOT IN ('SKIPPED', 'INACTIVE') GROUP BY saga_id`,
  );
  return new Map(rows.map((r) => [r.id, r.takes]));
}
