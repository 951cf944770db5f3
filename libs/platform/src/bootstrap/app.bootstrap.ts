import { networkInterfaces } from 'node:os';
import { DynamicModule, Logger, NestApplicationOptions } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { httpTracingMiddleware } from '../observability/http-tracing.middleware';
import { OBSERVED_SERVICE } from '../observability/tracing.lifecycle';
import { DatabaseSessionLimits, pgSessionOptions, SagaMessageServer } from '@app/saga-core';
import { ensureDatabase, runMigrations } from './database.bootstrap';
import { httpAdapter, readRequestsAsDocumented } from './http-platform';
import { ServiceUnavailableFilter } from './service-unavailable.filter';

export interface CreateServiceAppOptions {
  /** The app's database; created if it is missing. */
  databaseUrl: string;
  /** The limits of the session that creates the database (see `databaseSessionLimits`). */
  databaseSession?: DatabaseSessionLimits;
  /** Default: pino (see `ObservabilityModule`); `false` silences the app (tests). */
  logger?: NestApplicationOptions['logger'];
  /** Global pipes, OpenAPI and the like, applied before the app initialises. */
  configure?: (app: NestFastifyApplication) => void;
}

/**
 * Builds a service, initialised but not listening on HTTP: its database exists and is migrated
 * before any provider initialises (seeds its catalogue) and before any consumer starts. A
 * participant's commands and events arrive through its `SagaMessageServer`, connected as a
 * microservice that shares the app's global pipes, interceptors, guards and filters, and
 * started once the app is initialised.
 */
export async function createServiceApp(
  rootModule: DynamicModule,
  options: CreateServiceAppOptions,
): Promise<NestFastifyApplication> {
  await ensureDatabase(
    options.databaseUrl,
    options.databaseSession && pgSessionOptions(options.databaseSession),
  );
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, httpAdapter(), {
    abortOnError: false,
    // Until pino takes over below, what Nest logs is kept, then written through pino.
    ...(options.logger === undefined ? { bufferLogs: true } : { logger: options.logger }),
  });
  try {
    if (options.logger === undefined) app.useLogger(app.get(PinoLogger));
    readRequestsAsDocumented(app);
    // Before every route and nestjs-pino's middleware: the request's span and log scope.
    app.use(httpTracingMiddleware(app.get<string>(OBSERVED_SERVICE)));
    // First, so that filters an app adds for its own errors are consulted before it.
    app.useGlobalFilters(new ServiceUnavailableFilter(app.get(HttpAdapterHost).httpAdapter));
    options.configure?.(app);
    const messages = app.get(SagaMessageServer, { strict: false });
    if (messages.consumes) {
      app.connectMicroservice({ strategy: messages }, { inheritAppConfig: true });
    }
    await runMigrations(app.get(DataSource));
    await app.init();
    // Fastify registers its routes once ready: before that a request would find none.
    await app.getHttpAdapter().getInstance().ready();
    await app.startAllMicroservices();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/**
 * A service's `main`: builds it, listens on its `PORT`, and closes it cleanly on SIGINT or
 * SIGTERM. A failed start exits with status 1.
 */
export function runServiceApp(name: string, create: () => Promise<NestFastifyApplication>): void {
  const logger = new Logger(name);
  const start = async (): Promise<void> => {
    const app = await create();
    app.enableShutdownHooks();
    const port = app.get(ConfigService).getOrThrow<number>('PORT');
    await app.listen(port, anyAddress());
    logger.log(`Listening on ${await app.getUrl()}`);
  };
  start().catch((error: unknown) => {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}

/**
 * Every interface, as Node.js listens when given no address: IPv6 and IPv4 on a machine that has
 * IPv6, IPv4 alone otherwise (Fastify by itself would listen on localhost only).
 */
function anyAddress(): string {
  const v6 = Object.values(networkInterfaces()).some((list) =>
    list?.some((address) => address.family === 'IPv6'),
  );
  return v6 ? '::' : '0.0.0.0';
}
