import { DataSource } from 'typeorm';
import { Inbox, InboxTransaction } from '../../participant/inbox.port';
import { IncomingMessage } from '../../transport/message-envelope';
import {
  claimAllAndEnqueue,
  claimAndEnqueue,
  claimIncoming,
  claimsBeforeHandling,
  enqueueOutgoing,
} from './typeorm-messaging';

/**
 * The inbox on PostgreSQL: `saga_inbox` rows keyed by (consumer, message id), written in the
 * same transaction as the handler's work and the outbox rows. PostgreSQL's default READ
 * COMMITTED on purpose: a handler that loses an insert race to a concurrent transaction must
 * then see that transaction's committed row.
 */
export class TypeOrmInbox implements Inbox {
  constructor(private readonly dataSource: DataSource) {}

  claimsBeforeHandling(delivery: IncomingMessage): boolean {
    return claimsBeforeHandling(delivery);
  }

  transaction<T>(consumer: string, work: (tx: InboxTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) =>
      work({
        manager,
        claim: (messageId) => claimIncoming(manager, consumer, messageId),
        claimAndEnqueue: (messageId, messages) =>
          claimAndEnqueue(manager, consumer, messageId, messages),
        claimAllAndEnqueue: (claims) => claimAllAndEnqueue(manager, consumer, claims),
        enqueue: (messages) => enqueueOutgoing(manager, messages),
      }),
    );
  }
}
