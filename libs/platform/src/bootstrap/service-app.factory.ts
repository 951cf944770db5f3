import { DynamicModule } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenApiOptions, serveOpenApi } from '@app/saga-core';
import { CreateServiceAppOptions, createServiceApp } from './app.bootstrap';
import { loadConfig } from './config.loader';
import { databaseSessionLimits, Env, ServiceConfig } from './service-config';

/** What each app exports as `create<App>App`: its factory, `env` the process's by default. */
export type ServiceAppFactory = (
  env?: Env,
  options?: Pick<CreateServiceAppOptions, 'logger'>,
) => Promise<NestFastifyApplication>;

/**
 * An app's factory from its parts: its configuration (validated from `env` at boot), its root
 * module built from that configuration, its OpenAPI page, and anything else it sets up before
 * it initialises (global pipes…). The app it builds is migrated, and consuming its messages,
 * but not listening (see `createServiceApp`).
 */
export function serviceAppFactory<C extends ServiceConfig>(
  config: new () => C,
  rootModule: (config: C) => DynamicModule,
  openApi: OpenApiOptions,
  configure: (app: NestFastifyApplication) => void = () => undefined,
): ServiceAppFactory {
  return (env = process.env, options = {}) => {
    const loaded = loadConfig(config, env);
    return createServiceApp(rootModule(loaded), {
      ...options,
      databaseUrl: loaded.DATABASE_URL,
      databaseSession: databaseSessionLimits(loaded),
      configure: (app) => {
        configure(app);
        serveOpenApi(app, openApi);
      },
    });
  };
}
