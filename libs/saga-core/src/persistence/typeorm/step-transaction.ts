import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { PreparedStatement, preparedQuery } from './prepared-query';

/**
 * What TypeORM's query runner keeps of a transaction: whether one is open (`manager.save`
 * opens none of its own then), and how deep (at 1, a `manager.transaction` inside the step is
 * a savepoint). Set here for a transaction TypeORM did not open.
 */
interface TransactionState {
  isTransactionActive: boolean;
  transactionDepth: number;
}

function setTransactionState(runner: QueryRunner, open: boolean): void {
  const state = runner as unknown as TransactionState;
  state.isTransactionActive = open;
  state.transactionDepth = open ? 1 : 0;
}

/** TypeORM's PostgreSQL query runner gives a connection back with the error that broke it. */
interface PostgresRelease {
  releasePostgresConnection?(error?: Error): Promise<void>;
}

/**
 * One participant step's transaction on a connection of the DataSource's pool, written with as
 * few round trips as node-postgres allows: `BEGIN` is sent without waiting for its answer, and
 * the step's last statement (the inbox row with the reply's outbox rows) can carry the `COMMIT`
 * (`finalStatement`). On a pool made with `extra: { pipeline: true }` (node-postgres'
 * pipelining) both ride along with the statements beside them: a step is the handler's own
 * statements plus one round trip. On any other pool the same calls queue one after the other,
 * as a plain transaction would.
 *
 * TypeORM sees the transaction as its own (`manager.save` does not open another, and a nested
 * `manager.transaction` is a savepoint). A DataSource with subscribers gets TypeORM's own
 * transaction instead, so that their transaction events keep firing.
 */
export class StepTransaction {
  /** The transaction ended: committed with its last statement, or refused by it. */
  private ended = false;

  private constructor(
    private readonly runner: QueryRunner,
    private readonly client: PoolClient | null,
    private readonly begun: Promise<unknown>,
  ) {}

  static async open(dataSource: DataSource): Promise<StepTransaction> {
    const runner = dataSource.createQueryRunner();
    try {
      if (dataSource.subscribers.length > 0 || dataSource.options.type !== 'postgres') {
        await runner.startTransaction();
        return new StepTransaction(runner, null, Promise.resolve());
      }
      const client = (await runner.connect()) as PoolClient;
      const begun = client.query('BEGIN');
      // Its failure (a lost connection) fails the statements behind it, and then the commit.
      begun.catch(() => undefined);
      setTransactionState(runner, true);
      return new StepTransaction(runner, client, begun);
    } catch (error) {
      await runner.release();
      throw error;
    }
  }

  get manager(): EntityManager {
    return this.runner.manager;
  }

  /**
   * Runs the transaction's last statement and commits with it, in the same round trip where
   * the pool pipelines. `refused` tells an error of the statement that means "do not commit"
   * (a unique violation of the inbox, say): it resolves to null and the transaction is rolled
   * back. Nothing may be written in the transaction afterwards.
   */
  async finalStatement<R extends QueryResultRow>(
    statement: PreparedStatement,
    values: readonly unknown[],
    refused: (error: unknown) => boolean,
  ): Promise<R[] | null> {
    if (!this.client) {
      let rows: R[];
      try {
        rows = await preparedQuery<R>(this.runner.manager, statement, values);
      } catch (error) {
        if (!refused(error)) throw error;
        this.ended = true;
        await this.runner.rollbackTransaction();
        return null;
      }
      this.ended = true;
      await this.runner.commitTransaction();
      return rows;
    }
    // Settled already when the handler ran a statement; a step that ran none waits for it, so
    // that this statement never commits on its own. BEGIN fails only with its connection, and
    // the statements behind it then fail with it.
    await this.begun;
    const written = this.client.query<R>({ ...statement, values: [...values] });
    // Sent right behind it: after a failed statement PostgreSQL answers it by rolling back.
    const committed = this.client.query('COMMIT');
    this.ended = true;
    const [statementResult, commitResult] = await Promise.allSettled([written, committed]);
    if (statementResult.status === 'rejected') {
      if (refused(statementResult.reason)) return null;
      throw statementResult.reason;
    }
    if (commitResult.status === 'rejected') throw commitResult.reason;
    return (statementResult.value as QueryResult<R>).rows;
  }

  async commit(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (!this.client) return this.runner.commitTransaction();
    await this.begun;
    await this.client.query('COMMIT');
  }

  /** Rolls back what is left open; a connection that cannot is not given back to the pool. */
  async rollback(): Promise<void> {
    if (!this.client) {
      if (this.runner.isTransactionActive) await this.runner.rollbackTransaction();
      return;
    }
    // After a final statement PostgreSQL has committed or rolled back already.
    if (this.ended) return;
    this.ended = true;
    await this.client.query('ROLLBACK');
  }

  /** Gives the connection back; call once, after `commit` or `rollback`, or after they failed. */
  async release(broken?: unknown): Promise<void> {
    if (this.client) setTransactionState(this.runner, false);
    const postgres = this.runner as unknown as PostgresRelease;
    if (broken && typeof postgres.releasePostgresConnection === 'function') {
      // Handed to the pool with the error, the connection is closed rather than reused.
      return postgres.releasePostgresConnection(
        broken instanceof Error ? broken : new Error(String(broken)),
      );
    }
    await this.runner.release();
  }
}
