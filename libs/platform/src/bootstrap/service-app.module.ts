import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MigrationInterface } from 'typeorm';
import { ServiceHealthModule } from '../health/service-health.module';
import { ObservabilityModule } from '../observability/observability.module';
import {
  envFaultHooks,
  parseReplyQueues,
  pgSessionOptions,
  pgSocketWritingByTurn,
  SagaCoreOptions,
  SagaModule,
} from '@app/saga-core';
import { databaseSessionLimits, ServiceConfig } from './service-config';

const DATABASE_CONNECT_TIMEOUT_MS = 3_000;

export interface ServiceAppOptions {
  /** Names the app in the inbox and on the broker, e.g. `flight-service`. */
  serviceName: string;
  /** Already validated (see `loadConfig`); served by `ConfigService`. */
  config: ServiceConfig;
  /** The app's TypeORM entities. */
  entities: (new () => object)[];
  /** Every migration the app needs, messaging ones included; run by `createServiceApp`. */
  migrations: (new () => MigrationInterface)[];
  /** Everything of `SagaCoreOptions` but what comes from the config. */
  saga?: Omit<SagaCoreOptions, 'serviceName' | 'amqpUrl'>;
  /** Connections in the app's database pool. Default 10. */
  poolSize?: number;
}

/**
 * The plumbing every service shares: its configuration, its PostgreSQL database, the saga
 * engine on RabbitMQ, `/health` and `/metrics`, structured logs and tracing. An app imports it and adds its own
 * controllers and providers.
 */
@Module({})
export class ServiceAppModule {
  static forRoot(options: ServiceAppOptions): DynamicModule {
    const config = { ...options.config };
    return {
      module: ServiceAppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          // The config was read from an explicit env object: never mix process.env back in.
          validatePredefined: false,
          skipProcessEnv: true,
          load: [() => config],
        }),
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (c: ConfigService) => ({
            type: 'postgres',
            url: c.getOrThrow<string>('DATABASE_URL'),
            entities: options.entities,
            migrations: options.migrations,
            migrationsRun: false,
            synchronize: false,
            poolSize: options.poolSize ?? 10,
            // Bounds the wait for a connection, new or from a busy pool: while the database is
            // away a request fails in seconds (503) instead of hanging.
            connectTimeoutMS: DATABASE_CONNECT_TIMEOUT_MS,
            // Notices, within about a minute, an idle connection whose server vanished
            // without closing it, rather than after the system's two-hour default. Every
            // wait on the server is bounded (locks, statements, an idle transaction), and
            // the engine opens its other connections with the same limits.
            // `pipeline`: node-postgres sends a statement without waiting for the one before
            // it; a participant step's BEGIN and COMMIT ride along (`StepTransaction`).
            // `stream`: what a connection queues in one turn goes out in one write.
            extra: {
              pipeline: true,
              stream: pgSocketWritingByTurn,
              keepAlive: true,
              keepAliveInitialDelayMillis: 10_000,
              ...pgSessionOptions(
                databaseSessionLimits(config),
                `${options.serviceName}:${process.pid}`,
              ),
            },
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
        SagaModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (c: ConfigService) => ({
            ...options.saga,
            ...(options.saga?.participant && {
              participant: {
                replyQueues: parseReplyQueues(c.getOrThrow<string>('SAGA_REPLY_QUEUES')),
                ...options.saga.participant,
              },
            }),
            relay: {
              maxAttempts: c.getOrThrow<number>('SAGA_OUTBOX_MAX_ATTEMPTS'),
              retryDelayMs: c.getOrThrow<number>('SAGA_OUTBOX_RETRY_DELAY_MS'),
              maxRetryDelayMs: c.getOrThrow<number>('SAGA_OUTBOX_MAX_RETRY_DELAY_MS'),
              ...options.saga?.relay,
            },
            serviceName: options.serviceName,
            amqpUrl: c.getOrThrow<string>('AMQP_URL'),
            faultHooks: envFaultHooks,
            groupCommit: {
              maxMessages: c.getOrThrow<number>('SAGA_GROUP_COMMIT_MAX_MESSAGES'),
              lingerMs: c.getOrThrow<number>('SAGA_LINGER_MS'),
            },
            retention: {
              inboxRetentionMs: c.getOrThrow<number>('SAGA_INBOX_RETENTION_SECONDS') * 1000,
              outboxRetentionMs: c.getOrThrow<number>('SAGA_OUTBOX_RETENTION_SECONDS') * 1000,
              intervalMs: c.getOrThrow<number>('SAGA_RETENTION_INTERVAL_SECONDS') * 1000,
            },
          }),
        }),
        ServiceHealthModule,
        ObservabilityModule.forRoot(options.serviceName),
      ],
    };
  }
}
