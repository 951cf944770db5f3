import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';

/** The waits every session an app opens on PostgreSQL is bounded by, in milliseconds. */
export interface DatabaseSessionLimits {
  /** A statement waiting longer than this for a lock fails with 55P03. */
  lockTimeoutMs: number;
  /** A statement running longer than this is cancelled with 57014. */
  statementTimeoutMs: number;
  /** A session idle this long inside a transaction is closed by the server, its locks freed. */
  idleInTransactionTimeoutMs: number;
}

/**
 * Connection options of `pg` (a Client's or a Pool's) that set the session's limits. pg sends
 * them as startup parameters, so they hold from the first statement of every connection.
 */
export interface PgSessionOptions {
  lock_timeout?: number;
  statement_timeout?: number;
  idle_in_transaction_session_timeout?: number;
  /** Shows in `pg_stat_activity` which process holds a session. */
  application_name?: string;
  keepAlive?: boolean;
  keepAliveInitialDelayMillis?: number;
}

const SESSION_KEYS: readonly (keyof PgSessionOptions)[] = [
  'lock_timeout',
  'statement_timeout',
  'idle_in_transaction_session_timeout',
  'application_name',
  'keepAlive',
  'keepAliveInitialDelayMillis',
];

/** How long a read waits for a connection of the read pool before it answers 503. */
const READ_CONNECT_TIMEOUT_MS = 3_000;

export function pgSessionOptions(
  limits: DatabaseSessionLimits,
  applicationName?: string,
): PgSessionOptions {
  return {
    lock_timeout: limits.lockTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    ...(applicationName ? { application_name: applicationName.slice(0, 63) } : {}),
  };
}

/**
 * The session options of a DataSource's own pool (TypeORM hands its `extra` to pg), for the
 * connections the engine opens beside that pool: every session gets the same limits.
 */
export function sessionOptionsOf(dataSource: DataSource): PgSessionOptions {
  const extra = ((dataSource.options as { extra?: Record<string, unknown> }).extra ?? {}) as Record<
    string,
    unknown
  >;
  return Object.fromEntries(
    SESSION_KEYS.filter((key) => extra[key] !== undefined).map((key) => [key, extra[key]]),
  ) as PgSessionOptions;
}

export function urlOf(dataSource: DataSource): string {
  const { url } = dataSource.options as { url?: string };
  if (!url) throw new Error('the saga store needs its DataSource to be configured by url');
  return url;
}

/**
 * A pool of its own for HTTP reads, beside the DataSource's: a flood of reads waits for these
 * `size` connections (then answers 503), never for the ones replies and timers need.
 */
export function createReadPool(dataSource: DataSource, size: number): Pool {
  const session = sessionOptionsOf(dataSource);
  const { connectTimeoutMS } = dataSource.options as { connectTimeoutMS?: number };
  const pool = new Pool({
    connectionString: urlOf(dataSource),
    max: size,
    connectionTimeoutMillis: connectTimeoutMS ?? READ_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 10_000,
    ...session,
    application_name: `${session.application_name ?? 'saga-engine'} reads`.slice(0, 63),
  });
  const logger = new Logger('ReadPool');
  // An idle connection the server dropped: pg emits it on the pool, which would crash unheard.
  pool.on('error', (error) => logger.warn(`an idle read connection failed: ${error.message}`));
  return pool;
}
