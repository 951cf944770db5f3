import { DataSource } from 'typeorm';
import { Inbox, InboxTransaction } from '../../participant/inbox.port';
import { IncomingMessage } from '../../transport/message-envelope';
import { StepTransaction } from './step-transaction';
import { arriveAtJoin } from './typeorm-event-join';
import {
  claimAllAndEnqueue,
  claimAndEnqueue,
  claimEnqueueAndCommit,
  claimIncoming,
  claimsBeforeHandling,
  enqueueOutgoing,
} from './typeorm-messaging';

/**
 * The inbox on PostgreSQL: `saga_inbox` rows keyed by (consumer, message id), written in the
 * same transaction as the handler's work and the outbox rows. PostgreSQL's default READ
 * COMMITTED on purpose: a handler that loses an insert race to a concurrent transaction must
 * then see that transaction's committed row.
 *
 * A step is the handler's statements plus one round trip where the DataSource's pool
 * pipelines (`extra: { pipeline: true }`): `BEGIN` rides with the first statement, and the
 * commit with the inbox row and the reply (`StepTransaction`).
 */
export class TypeOrmInbox implements Inbox {
  constructor(private readonly dataSource: DataSource) {}

  claimsBeforeHandling(delivery: IncomingMessage): boolean {
    return claimsBeforeHandling(delivery);
  }

  async transaction<T>(consumer: string, work: (tx: InboxTransaction) => Promise<T>): Promise<T> {
    const step = await StepTransaction.open(this.dataSource);
    let broken: unknown;
    try {
      const { manager } = step;
      const result = await work({
        manager,
        claim: (messageId) => claimIncoming(manager, consumer, messageId),
        claimAndEnqueue: (messageId, messages, commit) =>
          commit
            ? claimEnqueueAndCommit(step, consumer, messageId, messages)
            : claimAndEnqueue(manager, consumer, messageId, messages),
        claimAllAndEnqueue: (claims) => claimAllAndEnqueue(manager, consumer, claims),
        enqueue: (messages) => enqueueOutgoing(manager, messages),
        join: (arrival) => arriveAtJoin(manager, arrival),
      });
      await step.commit();
      return result;
    } catch (error) {
      await step.rollback().catch((rollback: unknown) => (broken = rollback));
      throw error;
    } finally {
      await step.release(broken);
    }
  }
}
