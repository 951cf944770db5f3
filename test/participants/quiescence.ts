import { queryRows } from '../../scripts/support/pg-query';

/*
 * Real signals that a participant is done with what it was sent, in place of waiting "long
 * enough": its inbox row (committed with the effects and whatever the handler published), its
 * outbox sent (confirmed by the broker, so routed to every bound queue), and, for the queue a
 * test reads, a marker published after that and consumed behind everything before it.
 */

/** Outbox rows not yet confirmed by the broker, over all of `urls`. */
export async function unsentOutboxRows(urls: readonly string[]): Promise<number> {
  const counts = await Promise.all(
    urls.map(async (url) => {
      const [row] = await queryRows<{ n: string }>(
        url,
        'SELECT count(*) AS n FROM saga_outbox WHERE sent_at IS NULL',
      );
      return Number(row.n);
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Whether `consumer` committed its handling of message `messageId`. */
export async function inboxHas(url: string, consumer: string, messageId: string): Promise<boolean> {
  const rows = await queryRows(
    url,
    'SELECT 1 FROM saga_inbox WHERE consumer = $1 AND message_id = $2',
    [consumer, messageId],
  );
  return rows.length === 1;
}
