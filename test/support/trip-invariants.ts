import { TripSystem } from './trip-system';

/**
 * The contract's invariants, checked on the participants' own databases once every booking
 * has ended: stock and balances add up to the live reservations and charges, each confirmed
 * booking holds all three, each cancelled one holds none.
 */
export async function tripViolations(system: TripSystem): Promise<string[]> {
  const violations: string[] = [];
  const stock = async (app: 'flight' | 'hotel', sql: string) => {
    for (const row of await system.sql<{ id: string; used: number; reserved: number }>(app, sql)) {
      if (Number(row.used) !== Number(row.reserved)) {
        violations.push(`${app} ${row.id}: ${row.used} used but ${row.reserved} reserved`);
      }
    }
  };
  await stock(
    'flight',
    `SELECT f.flight_id AS id, f.seats_total - f.seats_available AS used,
            COALESCE(SUM(r.seats) FILTER (WHERE r.status = 'RESERVED'), 0) AS reserved
       FROM flights f LEFT JOIN flight_reservations r ON r.flight_id = f.flight_id GROUP BY f.flight_id`,
  );
  await stock(
    'hotel',
    `SELECT h.hotel_id AS id, h.rooms_total - h.rooms_available AS used,
            COALESCE(SUM(r.rooms) FILTER (WHERE r.status = 'RESERVED'), 0) AS reserved
       FROM hotels h LEFT JOIN hotel_reservations r ON r.hotel_id = h.hotel_id GROUP BY h.hotel_id`,
  );
  const accounts = await system.sql<{ id: string; spent: string; charged: string }>(
    'payment',
    `SELECT a.customer_id AS id, a.initial_balance - a.balance AS spent,
            COALESCE(SUM(p.amount) FILTER (WHERE p.status = 'CHARGED'), 0) AS charged
       FROM accounts a LEFT JOIN payments p ON p.customer_id = a.customer_id GROUP BY a.customer_id`,
  );
  for (const row of accounts) {
    if (Number(row.spent) !== Number(row.charged)) {
      violations.push(`account ${row.id}: ${row.spent} spent but ${row.charged} charged`);
    }
  }

  const sagas = await system.sql<{ id: string; status: string }>(
    'orchestrator',
    `SELECT id::text AS id, status FROM saga_instances`,
  );
  const live = async (app: 'flight' | 'hotel' | 'payment', sql: string) =>
    new Map(
      (await system.sql<{ id: string; status: string }>(app, sql)).map((r) => [r.id, r.status]),
    );
  const flights = await live('flight', `SELECT booking_id AS id, status FROM flight_reservations`);
  const hotels = await live('hotel', `SELECT booking_id AS id, status FROM hotel_reservations`);
  const payments = await live('payment', `SELECT booking_id AS id, status FROM payments`);
  for (const saga of sagas) {
    const held = {
      flight: flights.get(saga.id),
      hotel: hotels.get(saga.id),
      payment: payments.get(saga.id),
    };
    if (saga.status === 'CONFIRMED') {
      if (held.flight !== 'RESERVED' || held.hotel !== 'RESERVED' || held.payment !== 'CHARGED') {
        violations.push(`CONFIRMED ${saga.id} holds ${JSON.stringify(held)}`);
      }
    }
    if (saga.status === 'CANCELLED') {
      if (held.flight === 'RESERVED' || held.hotel === 'RESERVED' || held.payment === 'CHARGED') {
        violations.push(`CANCELLED ${saga.id} still holds ${JSON.stringify(held)}`);
      }
    }
  }
  return violations;
}

export async function assertTripInvariants(system: TripSystem): Promise<void> {
  const violations = await tripViolations(system);
  if (violations.length > 0) throw new Error(`invariants violated:\n${violations.join('\n')}`);
}
