import type { PoolClient, QueryResultRow } from 'pg';
import { EntityManager } from 'typeorm';

/**
 * A hot statement with a name: PostgreSQL parses and plans it once per connection, and every
 * later run sends only its values. The name must be unique in the process and change with the
 * text (`…-v2`).
 */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs `statement` on the connection of `manager`'s transaction, as a named (prepared)
 * statement of node-postgres, and returns its rows. A manager outside a transaction, or one
 * not on PostgreSQL, runs the text as `manager.query` does. Errors are node-postgres' own,
 * with their SQLSTATE in `code`.
 *
 * For the statements a step runs every time (a reservation, a charge): TypeORM's
 * `manager.query` sends unnamed statements, which PostgreSQL parses and plans on every call.
 */
export async function preparedQuery<R extends QueryResultRow>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: readonly unknown[],
): Promise<R[]> {
  const client = await transactionClient(manager);
  if (!client) return manager.query<R[]>(statement.text, [...values]);
  const result = await client.query<R>({
    name: statement.name,
    text: statement.text,
    values: [...values],
  });
  return result.rows;
}

/** The node-postgres client `manager`'s transaction runs on, or null. */
async function transactionClient(manager: EntityManager): Promise<PoolClient | null> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased || !runner.isTransactionActive) return null;
  if (manager.connection.options.type !== 'postgres') return null;
  // TypeORM's PostgreSQL runner answers with the pool's client it holds.
  return (await runner.connect()) as PoolClient;
}
