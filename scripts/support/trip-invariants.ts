import { queryRows } from './pg-query';

import { TripDatabaseUrls } from './trip-endpoints';

export type { TripDatabaseUrls } from './trip-endpoints';

/** A booking and the status its saga ended in. */
export interface BookingOutcome {
  bookingId: string;
  status: string;
}

/**
 * The contract's invariants, checked on the participants' own databases once every booking
 * has ended: stock and balances add up to the live reservations and charges, each confirmed
 * booking holds all three, each cancelled one holds none. `bookings` defaults to every saga
 * the orchestrator knows, in either mode. Returns one line per violation.
 */
export async function tripViolations(
  databases: TripDatabaseUrls,
  bookings?: readonly BookingOutcome[],
): Promise<string[]> {
  const outcomes = bookings ?? (await sagaOutcomes(databases.orchestrator));
  return [...(await stockViolations(databases)), ...(await bookingViolations(databases, outcomes))];
}

async function stockViolations(databases: TripDatabaseUrls): Promise<string[]> {
  const check = async (what: string, url: string, sql: string): Promise<string[]> => {
    const [used, held] = what === 'account' ? ['spent', 'charged'] : ['used', 'reserved'];
    return (await queryRows<{ id: string; used: string; held: string }>(url, sql))
      .filter((row) => Number(row.used) !== Number(row.held))
      .map((row) => `${what} ${row.id}: ${row.used} ${used} but ${row.held} ${held}`);
  };
  const found = await Promise.all([
    check(
      'flight',
      databases.flight,
      `SELECT f.flight_id AS id, f.seats_total - f.seats_available AS used,
              COALESCE(SUM(r.seats) FILTER (WHERE r.status = 'RESERVED'), 0) AS held
         FROM flights f LEFT JOIN flight_reservations r ON r.flight_id = f.flight_id
        GROUP BY f.flight_id`,
    ),
    check(
      'hotel',
      databases.hotel,
      `SELECT h.hotel_id AS id, h.rooms_total - h.rooms_available AS used,
              COALESCE(SUM(r.rooms) FILTER (WHERE r.status = 'RESERVED'), 0) AS held
         FROM hotels h LEFT JOIN hotel_reservations r ON r.hotel_id = h.hotel_id
        GROUP BY h.hotel_id`,
    ),
    check(
      'account',
      databases.payment,
      `SELECT a.customer_id AS id, a.initial_balance - a.balance AS used,
              COALESCE(SUM(p.amount) FILTER (WHERE p.status = 'CHARGED'), 0) AS held
         FROM accounts a LEFT JOIN payments p ON p.customer_id = a.customer_id
        GROUP BY a.customer_id`,
    ),
  ]);
  return found.flat();
}

async function bookingViolations(
  databases: TripDatabaseUrls,
  bookings: readonly BookingOutcome[],
): Promise<string[]> {
  const ids = bookings.map((b) => b.bookingId);
  // A tombstone (an undo that came before the work, with no flight, hotel or customer) is the
  // participant's bookkeeping: the contract counts it as absent, and so does this check.
  const statuses = async (url: string, table: string, owner: string) => {
    const rows = await queryRows<{ id: string; status: string }>(
      url,
      `SELECT booking_id AS id, status FROM ${table}
        WHERE booking_id = ANY($1::text[]) AND ${owner} IS NOT NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  };
  const [flights, hotels, payments] = await Promise.all([
    statuses(databases.flight, 'flight_reservations', 'flight_id'),
    statuses(databases.hotel, 'hotel_reservations', 'hotel_id'),
    statuses(databases.payment, 'payments', 'customer_id'),
  ]);
  const violations: string[] = [];
  for (const { bookingId, status } of bookings) {
    const held = {
      flight: flights.get(bookingId),
      hotel: hotels.get(bookingId),
      payment: payments.get(bookingId),
    };
    const holdsAll =
      held.flight === 'RESERVED' && held.hotel === 'RESERVED' && held.payment === 'CHARGED';
    const holdsAny =
      held.flight === 'RESERVED' || held.hotel === 'RESERVED' || held.payment === 'CHARGED';
    if (status === 'CONFIRMED' && !holdsAll) {
      violations.push(`CONFIRMED ${bookingId} holds ${JSON.stringify(held)}`);
    }
    if (status === 'CANCELLED' && holdsAny) {
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
