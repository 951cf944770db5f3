import { ConfigService } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, Min, MinLength } from 'class-validator';
import { ServiceConfig } from '@app/saga-core';

/** The orchestrator's environment, validated at boot. */
export class OrchestratorConfig extends ServiceConfig {
  override PORT = 3000;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/saga_orchestrator';

  /** Default time a step waits for its reply before it counts as timed out. */
  @IsInt({ message: 'STEP_TIMEOUT_MS must be an integer' })
  @Min(10, { message: 'STEP_TIMEOUT_MS must be at least 10' })
  STEP_TIMEOUT_MS: number = 5_000;

  @IsIn(['development', 'test', 'production'], {
    message: 'NODE_ENV must be development, test or production',
  })
  NODE_ENV: string = 'development';

  /** Per-booking faults are refused in production unless this is `true`. */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'FAULTS_ENABLED must be true or false' })
  FAULTS_ENABLED?: string;

  /** The key operator actions need; without it they are off (401). */
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'OPERATOR_API_KEY must be at least 12 characters' })
  OPERATOR_API_KEY?: string;
}

/** Fault injection is on in development and test, off in production unless asked for. */
export function faultInjectionEnabled(config: ConfigService): boolean {
  const explicit = config.get<string>('FAULTS_ENABLED');
  if (explicit !== undefined) return explicit === 'true';
  return config.get<string>('NODE_ENV') !== 'production';
}
