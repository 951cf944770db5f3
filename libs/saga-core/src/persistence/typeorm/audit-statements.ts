/**
 * The audit lines of transitions, written as one row per saga (`saga_audit`): $p the sagas,
 * $p+1 when each row was written (its first line's time), $p+2 each saga's lines in order as
 * one JSON array, as `auditColumns` gives them. `where` decides whether they are written at
 * all (the transition's compare-and-set) and, in a statement for several sagas, whose.
 */
export const insertAuditRows = (p: number, where: string): string => `
  INSERT INTO saga_audit (saga_id, at, lines)
  SELECT a.saga_id, a.at, a.lines
    FROM unnest($${p}::uuid[], $${p + 1}::timestamptz[], $${p + 2}::jsonb[]) AS a(saga_id, at, lines)
   WHERE ${where}`;

/** A saga's audit lines in order, one per row. */
export const AUDIT_LOG = `
SELECT a.saga_id, (e.l->>'at')::timestamptz AS at, e.l->>'type' AS type, e.l->>'step' AS step,
       coalesce(e.l->'detail', '{}'::jsonb) AS detail
  FROM saga_audit a, jsonb_array_elements(a.lines) WITH ORDINALITY AS e(l, n)
 WHERE a.saga_id = $1
 ORDER BY a.id, e.n`;
