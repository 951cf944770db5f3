import { DataSource } from 'typeorm';
import { SagaStorage } from '../saga-storage';
import { TypeOrmGaugeStore } from './typeorm-gauge.store';
import { TypeOrmInbox } from './typeorm-inbox';
import { TypeOrmOutboxStore } from './typeorm-outbox.store';
import { TypeOrmRetentionStore } from './typeorm-retention.store';
import { TypeOrmSagaStore } from './typeorm-saga.store';

export interface TypeOrmStorageOptions {
  /** The PostgreSQL `DataSource` to use; default: the app's, from `TypeOrmModule`. */
  dataSource?: DataSource;
}

/**
 * Sagas, timers, the inbox and the outbox in PostgreSQL, through a TypeORM `DataSource`
 * (run `sagaEngineMigrations` on an orchestrator's database and `messagingMigrations` on every
 * app's). The store opens its own listening and read connections beside the pool.
 */
export function typeOrmStorage(options: TypeOrmStorageOptions = {}): SagaStorage {
  return {
    name: 'typeorm',
    open: (context) => {
      const dataSource = options.dataSource ?? context.resolve(DataSource);
      if (!dataSource) {
        throw new Error(
          'typeOrmStorage: no TypeORM DataSource (import TypeOrmModule.forRoot, or pass { dataSource })',
        );
      }
      return {
        store: new TypeOrmSagaStore(dataSource, {
          readPoolSize: context.readPoolSize,
          faults: context.faults,
        }),
        inbox: new TypeOrmInbox(dataSource),
        outbox: new TypeOrmOutboxStore(dataSource),
        retention: new TypeOrmRetentionStore(dataSource),
        gauges: new TypeOrmGaugeStore(dataSource),
      };
    },
  };
}
