import { JoinArrival, JoinOutcome } from '../../participant/event-join.port';

/** What runs a statement in the message's transaction (an `EntityManager` is one). */
interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/*
 * The upsert locks the join's row, so two events of one join handled at once (two consumers,
 * or a prefetch above one) take turns, and the second sees the first's report once it has
 * committed: exactly one of them finds the join complete. A report already counted, or one
 * after the join fired, changes nothing and returns no row.
 */
const ARRIVE_SQL = `
  INSERT INTO saga_event_joins AS j (saga_id, step, reaction, arrived, fired_at)
  VALUES ($1, $2, $3, jsonb_build_object($4::text, $5::jsonb),
          CASE WHEN jsonb_exists_all(jsonb_build_object($4::text, $5::jsonb), $6::text[])
               THEN now() END)
  ON CONFLICT (saga_id, step, reaction) DO UPDATE
     SET arrived = j.arrived || EXCLUDED.arrived,
         fired_at = CASE WHEN jsonb_exists_all(j.arrived || EXCLUDED.arrived, $6::text[])
                         THEN now() END,
         updated_at = now()
   WHERE j.fired_at IS NULL AND NOT jsonb_exists(j.arrived, $4::text)
  RETURNING arrived, fired_at IS NOT NULL AS complete`;

/**
 * Counts one report towards a join in `saga_event_joins`, in the message's transaction: if
 * the transaction rolls back, so does the report, and the redelivered event counts it again.
 */
export async function arriveAtJoin(db: Queryable, arrival: JoinArrival): Promise<JoinOutcome> {
  const rows = await db.query<{ arrived: Record<string, unknown>; complete: boolean }[]>(
    ARRIVE_SQL,
    [
      arrival.sagaId,
      arrival.step,
      arrival.reaction,
      arrival.member,
      JSON.stringify(arrival.data ?? null),
      arrival.members,
    ],
  );
  const row = rows[0];
  return row?.complete ? row.arrived : null;
}
