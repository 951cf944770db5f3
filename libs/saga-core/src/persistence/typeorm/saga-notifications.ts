import type { Pool } from 'pg';
import { SagaStatus } from '../../model/saga-status';
import { SagaChange } from '../saga-store.port';
import { PgNotificationListener } from './pg-notification.listener';
import { PgSessionOptions } from './pg-session';
import { SAGA_CHANGED_CHANNEL, SAGA_ENDED_CHANNEL } from './saga-channels';

const CHANGES_PER_NOTIFICATION = 150;

/**
 * The store's notifications: ends of sagas (notified by the ending transaction itself) and
 * committed changes (announced in batches), all over one LISTEN connection per store.
 */
export class SagaNotifications {
  private readonly listener: PgNotificationListener;

  constructor(
    url: string,
    session: PgSessionOptions,
    private readonly pool: Pool,
  ) {
    this.listener = new PgNotificationListener(url, session);
  }

  watchEnded(listener: (sagaId: string) => void): Promise<{ close(): Promise<void> }> {
    return this.listener.subscribe(SAGA_ENDED_CHANNEL, listener);
  }

  watchChanges(listener: (change: SagaChange) => void): Promise<{ close(): Promise<void> }> {
    return this.listener.subscribe(SAGA_CHANGED_CHANNEL, (payload) => {
      for (const line of payload.split('\n')) {
        const [sagaId, status] = line.split(' ');
        if (sagaId && status) listener({ sagaId, status: status as SagaStatus });
      }
    });
  }

  /**
   * One statement for the whole batch, outside any saga transaction: a NOTIFY takes a lock
   * that every notifying transaction of the database waits for until it has committed, so a
   * notification inside each transition would queue up every transition's commit behind it.
   */
  async announce(changes: readonly SagaChange[]): Promise<void> {
    if (changes.length === 0) return;
    const payloads: string[] = [];
    // A payload must stay under 8000 bytes: about 45 bytes a line.
    for (let i = 0; i < changes.length; i += CHANGES_PER_NOTIFICATION) {
      const chunk = changes.slice(i, i + CHANGES_PER_NOTIFICATION);
      payloads.push(chunk.map((c) => `${c.sagaId} ${c.status}`).join('\n'));
    }
    await this.pool.query(`SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, [
      SAGA_CHANGED_CHANNEL,
      payloads,
    ]);
  }
}
