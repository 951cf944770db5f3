import { INestApplication, ValidationPipe } from '@nestjs/common';
import { serveOpenApi } from '@app/saga-core';
import {
  CreateServiceAppOptions,
  createServiceApp,
  databaseSessionLimits,
  loadConfig,
  Env,
} from '@app/platform';
import { OrchestratorConfig } from './config/orchestrator.config';
import { OrchestratorModule } from './orchestrator.module';
import { ORCHESTRATOR_OPENAPI } from './orchestrator.openapi';

/** The orchestrator, migrated and consuming but not listening; `env` defaults to the process's. */
export function createOrchestratorApp(
  env: Env = process.env,
  options: Pick<CreateServiceAppOptions, 'logger'> = {},
): Promise<INestApplication> {
  const config = loadConfig(OrchestratorConfig, env);
  return createServiceApp(OrchestratorModule.forRoot(config), {
    ...options,
    databaseUrl: config.DATABASE_URL,
    databaseSession: databaseSessionLimits(config),
    configure: (app) => {
      // Bad input gets a 400 listing each problem; unknown fields anywhere are refused.
      app.useGlobalPipes(
        new ValidationPipe({
          whitelist: true,
          forbidNonWhitelisted: true,
          forbidUnknownValues: true,
          transform: true,
        }),
      );
      serveOpenApi(app, ORCHESTRATOR_OPENAPI);
    },
  });
}
