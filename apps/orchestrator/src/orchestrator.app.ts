import { CompiledValidationPipe } from '@app/saga-core';
import { serviceAppFactory } from '@app/platform';
import { OrchestratorConfig } from './config/orchestrator.config';
import { OrchestratorModule } from './orchestrator.module';
import { ORCHESTRATOR_OPENAPI } from './orchestrator.openapi';

/** The orchestrator, migrated and consuming but not listening; `env` defaults to the process's. */
export const createOrchestratorApp = serviceAppFactory(
  OrchestratorConfig,
  (config) => OrchestratorModule.forRoot(config),
  ORCHESTRATOR_OPENAPI,
  // Bad input gets a 400 listing each problem; unknown fields anywhere are refused. Valid input
  // skips class-validator's executor (see `compiledCheck`); the answers are the same.
  (app) =>
    app.useGlobalPipes(
      new CompiledValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        forbidUnknownValues: true,
        transform: true,
      }),
    ),
);
