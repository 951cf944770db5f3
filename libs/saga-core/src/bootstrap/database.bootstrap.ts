import { Client } from 'pg';
import { DataSource } from 'typeorm';

/** Any fixed bigint works; it only has to be the same for every process migrating one database. */
const MIGRATION_LOCK_KEY = '7232250000001';

/** duplicate_database, and the unique index of pg_database when two creates race. */
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/**
 * Creates the database named in `url` if it is missing, through the `postgres` database of
 * the same server. Safe when several processes start at once.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`No database name in ${target.origin}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';

  const client = new Client({ connectionString: admin.toString() });
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
 * started together would otherwise race to create the same tables.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  // The lock belongs to a session: take and release it on one dedicated connection.
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
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
