import { IsInt, IsOptional, IsString, Min, MinLength } from 'class-validator';
import { ServiceConfig } from '@app/saga-core';

/** The orchestrator's environment, validated at boot. */
export class OrchestratorConfig extends ServiceConfig {
  override PORT = 3000;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/saga_orchestrator';

  /** Default time a step waits for its reply before it counts as timed out. */
  @IsInt({ message: 'STEP_TIMEOUT_MS must be an integer' })
  @Min(10, { message: 'STEP_TIMEOUT_MS must be at least 10' })
  STEP_TIMEOUT_MS: number = 5_000;

  /** The key operator actions need; without it they are off (401). */
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'OPERATOR_API_KEY must be at least 12 characters' })
  OPERATOR_API_KEY?: string;
}
