import { IsInt, IsOptional, IsString, Matches, Min, MinLength, ValidateIf } from 'class-validator';
import { ServiceConfig } from '@app/saga-core';

const PARTICIPANT_URL = /^https?:\/\/\S+$/;
const NAMED_KEYS = /^[\w.-]+:[^,\s]{12,}(,[\w.-]+:[^,\s]{12,})*$/;

/** The orchestrator's environment, validated at boot. */
export class OrchestratorConfig extends ServiceConfig {
  override PORT = 3000;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/saga_orchestrator';

  /** Default time a step waits for its reply before it counts as timed out. */
  @IsInt({ message: 'STEP_TIMEOUT_MS must be an integer' })
  @Min(10, { message: 'STEP_TIMEOUT_MS must be at least 10' })
  STEP_TIMEOUT_MS: number = 5_000;

  /** The key operator actions need, named `operator` in the audit log; see OPERATOR_API_KEYS. */
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'OPERATOR_API_KEY must be at least 12 characters' })
  OPERATOR_API_KEY?: string;

  /** Named operator keys, `alice:<key>,bob:<key>`: the audit log records the key's name. */
  @IsOptional()
  @Matches(NAMED_KEYS, {
    message:
      'OPERATOR_API_KEYS must be name:key pairs separated by commas, each key at least 12 characters',
  })
  OPERATOR_API_KEYS?: string;

  /** Reads need this key (or an operator key) once it is set; production requires it. */
  @ValidateIf(
    (c: OrchestratorConfig) => c.NODE_ENV === 'production' || c.READ_API_KEY !== undefined,
  )
  @IsString({ message: 'READ_API_KEY is required when NODE_ENV=production' })
  @MinLength(12, { message: 'READ_API_KEY must be at least 12 characters' })
  READ_API_KEY?: string;

  /** Requests one client may make in THROTTLE_TTL_SECONDS; 0 turns the limit off. */
  @IsInt({ message: 'THROTTLE_LIMIT must be an integer' })
  @Min(0, { message: 'THROTTLE_LIMIT must be at least 0' })
  THROTTLE_LIMIT: number = 100_000;

  @IsInt({ message: 'THROTTLE_TTL_SECONDS must be an integer' })
  @Min(1, { message: 'THROTTLE_TTL_SECONDS must be at least 1' })
  THROTTLE_TTL_SECONDS: number = 60;

  /** The participants, for the dashboard's System page (their /health and /faults). */
  @Matches(PARTICIPANT_URL, { message: 'FLIGHT_URL must be an http:// URL' })
  FLIGHT_URL: string = 'http://localhost:3001';

  @Matches(PARTICIPANT_URL, { message: 'HOTEL_URL must be an http:// URL' })
  HOTEL_URL: string = 'http://localhost:3002';

  @Matches(PARTICIPANT_URL, { message: 'PAYMENT_URL must be an http:// URL' })
  PAYMENT_URL: string = 'http://localhost:3003';
}
