import type { DataSource, EntityManager } from 'typeorm';

/** A database of a unit spec: runs `work` in one transaction, rolled back when it throws. */
export interface FakeDatabase {
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

const ROLLED_BACK = Symbol('rolled back');

/**
 * The DataSource `TypeOrmInbox` sees for a unit spec's database: its query runners open a
 * transaction of `database`, commit it by letting its work return and roll it back by making
 * it throw, as TypeORM's runner does on a DataSource with subscribers.
 */
export function inboxDataSource(database: FakeDatabase): DataSource {
  return {
    subscribers: [],
    options: { type: 'spec' },
    createQueryRunner: () => transactionRunner(database),
  } as unknown as DataSource;
}

function transactionRunner(database: FakeDatabase) {
  let manager: EntityManager | undefined;
  let finish: (commit: boolean) => void = () => undefined;
  let ended: Promise<unknown> = Promise.resolve();
  const runner = {
    isTransactionActive: false,
    get manager(): EntityManager {
      if (!manager) throw new Error('no transaction');
      return manager;
    },
    async startTransaction(): Promise<void> {
      await new Promise<void>((opened) => {
        ended = database
          .transaction(async (m) => {
            manager = m;
            opened();
            if (!(await new Promise<boolean>((resolve) => (finish = resolve)))) throw ROLLED_BACK;
          })
          .catch((error: unknown) => {
            if (error !== ROLLED_BACK) throw error;
          });
      });
      runner.isTransactionActive = true;
    },
    async commitTransaction(): Promise<void> {
      runner.isTransactionActive = false;
      finish(true);
      await ended;
    },
    async rollbackTransaction(): Promise<void> {
      runner.isTransactionActive = false;
      finish(false);
      await ended;
    },
    async release(): Promise<void> {},
  };
  return runner;
}

/** What PostgreSQL answers a second inbox row for one message in the statement with the commit. */
export function inboxKeyViolation(): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint'), {
    code: '23505',
    constraint: 'saga_inbox_pkey',
  });
}
