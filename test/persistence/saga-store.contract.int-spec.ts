import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import { sagaStoreContract } from '@app/saga-core/testing';
import { createTestDatabase, openDataSource } from '../support/postgres';

/** The store contract the in-memory store also keeps, on a database of this run's own. */
sagaStoreContract('TypeOrmSagaStore (PostgreSQL)', async () => {
  const db = await createTestDatabase('store_contract');
  const dataSource = await openDataSource(db.url, sagaEngineMigrations);
  const store = new TypeOrmSagaStore(dataSource);
  return {
    store,
    async dispose() {
      await store.close();
      await dataSource.destroy();
      await db.dispose();
    },
  };
});
