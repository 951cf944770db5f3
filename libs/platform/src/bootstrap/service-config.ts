// Decorator metadata (the variables' types) must exist before the config classes are defined.
import 'reflect-metadata';
import type { ConfigService } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateBy } from 'class-validator';
import { DatabaseSessionLimits, parseReplyQueues, replyQueueProblems } from '@app/saga-core';
import { localDatabaseUrl } from './local-database-url';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Variables as the process gets them: `process.env`, or an explicit object in tests. */
export type Env = Record<string, string | undefined>;

/** The longest database wait that can be configured: a day. */
const MAX_WAIT_MS = 86_400_000;

/**
 * What every service reads from its environment. An app extends it to give its own defaults
 * (`override PORT = 3001`) and add variables; `loadConfig` reads and checks it at boot.
 */
export class ServiceConfig {
  @IsInt({ message: 'PORT must be an integer' })
  @Min(0, { message: 'PORT must be at least 0' })
  @Max(65535, { message: 'PORT must be at most 65535' })
  PORT: number = 3000;

  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = localDatabaseUrl('postgres');

  @Matches(/^amqps?:\/\/\S+$/, { message: 'AMQP_URL must be an amqp:// URL' })
  AMQP_URL: string = 'amqp://guest:guest@localhost:5672';

  /** Handled-message ids older than this are pruned from the inbox; longer than any redelivery. */
  @IsInt({ message: 'SAGA_INBOX_RETENTION_SECONDS must be an integer' })
  @Min(1, { message: 'SAGA_INBOX_RETENTION_SECONDS must be at least 1' })
  SAGA_INBOX_RETENTION_SECONDS: number = 86_400;

  /** Sent outbox rows older than this are pruned. */
  @IsInt({ message: 'SAGA_OUTBOX_RETENTION_SECONDS must be an integer' })
  @Min(1, { message: 'SAGA_OUTBOX_RETENTION_SECONDS must be at least 1' })
  SAGA_OUTBOX_RETENTION_SECONDS: number = 3_600;

  /** How often the retention job runs (one instance per database at a time); 0 turns it off. */
  @IsInt({ message: 'SAGA_RETENTION_INTERVAL_SECONDS must be an integer' })
  @Min(0, { message: 'SAGA_RETENTION_INTERVAL_SECONDS must be at least 0' })
  SAGA_RETENTION_INTERVAL_SECONDS: number = 60;

  /** Commands and events that arrive together are written in one transaction, up to this many. */
  @IsInt({ message: 'SAGA_GROUP_COMMIT_MAX_MESSAGES must be an integer' })
  @Min(1, { message: 'SAGA_GROUP_COMMIT_MAX_MESSAGES must be at least 1' })
  @Max(1000, { message: 'SAGA_GROUP_COMMIT_MAX_MESSAGES must be at most 1000' })
  SAGA_GROUP_COMMIT_MAX_MESSAGES: number = 32;

  /** How long the engine holds a decision that sends nothing for its saga's next message. */
  @IsInt({ message: 'SAGA_LINGER_MS must be an integer' })
  @Min(0, { message: 'SAGA_LINGER_MS must be at least 0' })
  @Max(1000, { message: 'SAGA_LINGER_MS must be at most 1000' })
  SAGA_LINGER_MS: number = 10;

  /** A statement waiting longer than this for a lock fails (55P03) and is tried again later. */
  @IsInt({ message: 'DATABASE_LOCK_TIMEOUT_MS must be an integer' })
  @Min(1, { message: 'DATABASE_LOCK_TIMEOUT_MS must be at least 1' })
  @Max(MAX_WAIT_MS, { message: `DATABASE_LOCK_TIMEOUT_MS must be at most ${MAX_WAIT_MS}` })
  DATABASE_LOCK_TIMEOUT_MS: number = 5_000;

  /** A statement running longer than this is cancelled (57014) and tried again later. */
  @IsInt({ message: 'DATABASE_STATEMENT_TIMEOUT_MS must be an integer' })
  @Min(1, { message: 'DATABASE_STATEMENT_TIMEOUT_MS must be at least 1' })
  @Max(MAX_WAIT_MS, { message: `DATABASE_STATEMENT_TIMEOUT_MS must be at most ${MAX_WAIT_MS}` })
  DATABASE_STATEMENT_TIMEOUT_MS: number = 30_000;

  /**
   * A session idle this long inside a transaction (its process frozen, partitioned) is closed
   * by the server, and the locks it held are freed for the other instances.
   */
  @IsInt({ message: 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS must be an integer' })
  @Min(1, { message: 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS must be at least 1' })
  @Max(MAX_WAIT_MS, {
    message: `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS must be at most ${MAX_WAIT_MS}`,
  })
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number = 10_000;

  /** Tries of an outbox row the broker does not take (no queue for it) before it is parked. */
  @IsInt({ message: 'SAGA_OUTBOX_MAX_ATTEMPTS must be an integer' })
  @Min(1, { message: 'SAGA_OUTBOX_MAX_ATTEMPTS must be at least 1' })
  SAGA_OUTBOX_MAX_ATTEMPTS: number = 10;

  /** Wait before the second try of a failing outbox row; it doubles after each try. */
  @IsInt({ message: 'SAGA_OUTBOX_RETRY_DELAY_MS must be an integer' })
  @Min(1, { message: 'SAGA_OUTBOX_RETRY_DELAY_MS must be at least 1' })
  SAGA_OUTBOX_RETRY_DELAY_MS: number = 1_000;

  /** The longest wait between two tries of a failing outbox row. */
  @IsInt({ message: 'SAGA_OUTBOX_MAX_RETRY_DELAY_MS must be an integer' })
  @Min(1, { message: 'SAGA_OUTBOX_MAX_RETRY_DELAY_MS must be at least 1' })
  SAGA_OUTBOX_MAX_RETRY_DELAY_MS: number = 60_000;

  /**
   * The queues a participant answers on, comma-separated: exact names (declared at start) or
   * prefixes ending in `*`; never `amq.*` nor a dead-letter queue. A command whose `replyTo` is
   * none of them is dead-lettered as `untrusted-reply-to`.
   */
  @ValidateBy({
    name: 'isReplyQueueList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && replyQueueProblems(parseReplyQueues(value)).length === 0,
      defaultMessage: (args) =>
        `SAGA_REPLY_QUEUES: ${
          typeof args?.value === 'string'
            ? replyQueueProblems(parseReplyQueues(args.value)).join('; ')
            : 'must be a comma-separated list of queue names'
        }`,
    },
  })
  SAGA_REPLY_QUEUES: string = 'orchestrator.replies';

  @IsIn(['development', 'test', 'production'], {
    message: 'NODE_ENV must be development, test or production',
  })
  NODE_ENV: string = 'development';

  /** Fault injection is refused in production unless this is `true`; `false` refuses it anywhere. */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'FAULTS_ENABLED must be true or false' })
  FAULTS_ENABLED?: string;

  /** `debug` adds a line per message handled and per saga transition. */
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: string = 'info';

  /** Default: `json` in production, `pretty` otherwise. */
  @IsOptional()
  @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: string;

  /** OTLP/HTTP endpoint traces are exported to (`<url>/v1/traces`); unset, none are. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
}

/**
 * Fault injection (per-request faults, runtime fault rules) is on in development and test, and
 * off in production unless `FAULTS_ENABLED=true`.
 */
export function faultInjectionEnabled(config: ConfigService): boolean {
  const explicit = config.get<string>('FAULTS_ENABLED');
  if (explicit !== undefined) return explicit === 'true';
  return config.get<string>('NODE_ENV') !== 'production';
}

/** The database session limits the config sets (see `DATABASE_*_TIMEOUT_MS`). */
export function databaseSessionLimits(config: ServiceConfig): DatabaseSessionLimits {
  return {
    lockTimeoutMs: config.DATABASE_LOCK_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}
