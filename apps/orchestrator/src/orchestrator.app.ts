import { ValidationPipe } from '@nestjs/common';
import { serviceAppFactory } from '@app/platform';
import { OrchestratorConfig } from './config/orchestrator.config';
import { OrchestratorModule } from './orchestrator.module';
import { ORCHESTRATOR_OPENAPI } from './orchestrator.openapi';

/** The orchestrator, migrated and consuming but not listening; `env` defaults to the process's. */
export const createOrchestratorApp = serviceAppFactory(
  OrchestratorConfig,
  (config) => OrchestratorModule.forRoot(config),
  ORCHESTRATOR_OPENAPI,
  // Bad input gets a 400 listing each problem; unknown fields anywhere are refused.
  (app) =>
    app.useGlobalPipes(
      new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        forbidUnknownValues: true,
        transform: true,
      }),
    ),
);
