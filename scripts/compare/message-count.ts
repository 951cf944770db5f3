import { queryRows } from '../support/pg-query';
import { TripDatabaseUrls } from '../support/trip-invariants';

/** Messages the apps published for the given bookings, in all and by publisher. */
export interface MessageCount {
  total: number;
  byApp: Record<keyof TripDatabaseUrls, number>;
}

/**
 * Counts the outbox rows of the bookings: every message an app publishes goes through its
 * outbox, a command or reply naming its saga in `sagaId`, an event in `correlationId`.
 */
export async function countMessages(
  databases: TripDatabaseUrls,
  bookingIds: readonly string[],
): Promise<MessageCount> {
  const names = Object.keys(databases) as (keyof TripDatabaseUrls)[];
  const counts = await Promise.all(
    names.map(async (name) => {
      const [row] = await queryRows<{ n: string }>(
        databases[name],
        `SELECT count(*)::text AS n FROM saga_outbox
          WHERE coalesce(body->>'sagaId', body->>'correlationId') = ANY($1::text[])`,
        [bookingIds],
      );
      return Number(row.n);
    }),
  );
  const byApp = Object.fromEntries(names.map((n, i) => [n, counts[i]])) as MessageCount['byApp'];
  return { total: counts.reduce((a, b) => a + b, 0), byApp };
}
