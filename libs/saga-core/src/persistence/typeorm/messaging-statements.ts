import { PreparedStatement } from './prepared-query';

/**
 * The inbox and outbox writes of every participant step, prepared once per connection: each
 * is one round trip in the step's transaction (`typeorm-messaging.ts`).
 */

const OUTBOX_ROWS = (p: number) =>
  `unnest($${p}::uuid[], $${p + 1}::text[], $${p + 2}::text[], $${p + 3}::text[],
          $${p + 4}::jsonb[], $${p + 5}::jsonb[])`;

/** $1..$6 one array per outbox column. */
export const ENQUEUE: PreparedStatement = {
  name: 'saga-outbox-enqueue-v1',
  text: `INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
         SELECT * FROM ${OUTBOX_ROWS(1)}
         RETURNING id`,
};

/** $1 consumer, $2 message id, $3..$8 the outbox rows, written only if the claim took. */
export const CLAIM_AND_ENQUEUE: PreparedStatement = {
  name: 'saga-inbox-claim-enqueue-v1',
  text: `WITH c AS (
           INSERT INTO saga_inbox (consumer, message_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING RETURNING 1),
         o AS (
           INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
           SELECT m.* FROM ${OUTBOX_ROWS(3)} AS m
            WHERE EXISTS (SELECT 1 FROM c)
           RETURNING id)
         SELECT (SELECT count(*) FROM c)::int AS claimed,
                (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS ids`,
};

/**
 * $1 consumer, $2 message id, $3..$8 the outbox rows: `CLAIM_AND_ENQUEUE` for a statement the
 * commit rides behind. The inbox row is a plain insert: a message handled already fails the
 * statement with a unique violation of `saga_inbox_pkey`, so the commit sent with it rolls
 * back instead. A copy being handled meanwhile is waited for, as with `ON CONFLICT`.
 */
export const CLAIM_ENQUEUE_LAST: PreparedStatement = {
  name: 'saga-inbox-claim-enqueue-last-v1',
  text: `WITH c AS (
           INSERT INTO saga_inbox (consumer, message_id) VALUES ($1, $2)),
         o AS (
           INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
           SELECT m.* FROM ${OUTBOX_ROWS(3)} AS m
           RETURNING id)
         SELECT coalesce(array_agg(id ORDER BY id), '{}')::text[] AS ids FROM o`,
};

/** The inbox's primary key, whose violation says a message was handled already. */
export const INBOX_KEY = 'saga_inbox_pkey';

/** $1 consumer, $2 message ids, $3 how many, $4..$9 the outbox rows, written only if all took. */
export const CLAIM_ALL_AND_ENQUEUE: PreparedStatement = {
  name: 'saga-inbox-claim-all-enqueue-v1',
  text: `WITH c AS (
           INSERT INTO saga_inbox (consumer, message_id)
           SELECT $1, m FROM unnest($2::text[]) AS m
           ON CONFLICT DO NOTHING RETURNING message_id),
         o AS (
           INSERT INTO saga_outbox (message_id, exchange, routing_key, type, body, headers)
           SELECT m.* FROM ${OUTBOX_ROWS(4)} AS m
            WHERE (SELECT count(*) FROM c) = $3
           RETURNING id)
         SELECT (SELECT coalesce(array_agg(message_id), '{}') FROM c)::text[] AS claimed,
                (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM o)::text[] AS ids`,
};

/** $1 consumer, $2 message id. */
export const CLAIM: PreparedStatement = {
  name: 'saga-inbox-claim-v1',
  text: `INSERT INTO saga_inbox (consumer, message_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING 1`,
};
