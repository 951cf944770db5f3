import { Client } from 'pg';
import { DataSource, MigrationExecutor } from 'typeorm';
import { PgSessionOptions } from '@app/saga-core';

/** Any fixed bigint works; it only has to be the same for every process migrating one database. */
const MIGRATION_LOCK_KEY = '7232250000001';

/** duplicate_database, and the unique index of pg_database when two creates race. */
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/**
 * Creates the database named in `url` if it is missing, through the `postgres` database of
 * the same server. Safe when several processes start at once.
 */
export async function ensureDatabase(url: string, session: PgSessionOptions = {}): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`No database name in ${target.origin}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';

  const client = new Client({ connectionString: admin.toString(), ...session });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return;
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } catch (error) {
    if (!ALREADY_EXISTS.has(codeOf(error))) throw error;
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations, one transaction each, under an advisory lock: orchestrators
 * started together would otherwise race to create the same tables. They run on that lock's
 * session with no lock or statement timeout: waiting for another process's migrations, or a
 * migration rewriting a big table, is expected to take long, unlike the app's own statements.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  // The lock belongs to a session: take and release it on one dedicated connection.
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SET lock_timeout = 0');
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      await executor.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    // Back to the pool's own limits before the connection serves anything else.
    await runner.query('RESET lock_timeout').catch(() => undefined);
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.release();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code);
  return '';
}
