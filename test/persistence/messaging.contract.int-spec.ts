import { messagingMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { enqueueOutgoing } from '@app/saga-core/persistence/typeorm/typeorm-messaging';
import { TypeOrmInbox } from '@app/saga-core/persistence/typeorm/typeorm-inbox';
import { TypeOrmOutboxStore } from '@app/saga-core/persistence/typeorm/typeorm-outbox.store';
import { inboxContract, outboxStoreContract } from '@app/saga-core/testing';
import { createTestDatabase, openDataSource } from '../support/postgres';

/** The inbox and outbox contracts the in-memory adapters also keep, each on a database of its own. */
async function messagingDatabase(prefix: string, extra?: Record<string, unknown>) {
  const db = await createTestDatabase(prefix);
  const dataSource = await openDataSource(db.url, messagingMigrations, extra);
  const dispose = async () => {
    await dataSource.destroy();
    await db.dispose();
  };
  return { dataSource, outbox: new TypeOrmOutboxStore(dataSource), dispose };
}

inboxContract('TypeOrmInbox (PostgreSQL)', async () => {
  const { dataSource, outbox, dispose } = await messagingDatabase('inbox_contract');
  return {
    inbox: new TypeOrmInbox(dataSource),
    pendingOutbox: () => outbox.pendingCount(),
    dispose,
  };
});

// The apps' pools pipeline: BEGIN and COMMIT ride along with the statements beside them.
inboxContract('TypeOrmInbox (PostgreSQL, pipelined pool)', async () => {
  const { dataSource, outbox, dispose } = await messagingDatabase('inbox_pipelined', {
    pipeline: true,
  });
  return {
    inbox: new TypeOrmInbox(dataSource),
    pendingOutbox: () => outbox.pendingCount(),
    dispose,
  };
});

outboxStoreContract('TypeOrmOutboxStore (PostgreSQL)', async () => {
  const { dataSource, outbox, dispose } = await messagingDatabase('outbox_contract');
  return { outbox, write: (messages) => enqueueOutgoing(dataSource.manager, messages), dispose };
});
