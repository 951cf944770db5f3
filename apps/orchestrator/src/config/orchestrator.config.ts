import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { localDatabaseUrl, ServiceConfig } from '@app/platform';
import { TripParticipant, tripParticipantProfiles } from '@app/trip-api';

const PARTICIPANT_URL = /^https?:\/\/\S+$/;
const NAMED_KEYS = /^[\w.-]+:[^,\s]{12,}(,[\w.-]+:[^,\s]{12,})*$/;

/** The orchestrator's environment, validated at boot. */
export class OrchestratorConfig extends ServiceConfig {
  override PORT = 3000;
  override DATABASE_URL = localDatabaseUrl('saga_orchestrator');

  /** Default time a step waits for its reply before it counts as timed out. */
  @IsInt({ message: 'STEP_TIMEOUT_MS must be an integer' })
  @Min(10, { message: 'STEP_TIMEOUT_MS must be at least 10' })
  STEP_TIMEOUT_MS: number = 5_000;

  /**
   * PENDING sagas pinned to a definition version this orchestrator does not register:
   * `refuse` to start, naming them, or `leave` them to an instance that registers that
   * version (their timers are not claimed here, their replies and events go back to the queue).
   */
  @IsIn(['refuse', 'leave'], { message: 'SAGA_UNREGISTERED_VERSIONS must be refuse or leave' })
  SAGA_UNREGISTERED_VERSIONS: 'refuse' | 'leave' = 'refuse';

  /** Tries of a timer whose firing throws, before it is parked for an operator. */
  @IsInt({ message: 'SAGA_TIMER_MAX_ATTEMPTS must be an integer' })
  @Min(1, { message: 'SAGA_TIMER_MAX_ATTEMPTS must be at least 1' })
  @Max(100, { message: 'SAGA_TIMER_MAX_ATTEMPTS must be at most 100' })
  SAGA_TIMER_MAX_ATTEMPTS: number = 5;

  /** The wait before a failed timer's second try; it doubles with each try, up to 30 s. */
  @IsInt({ message: 'SAGA_TIMER_RETRY_DELAY_MS must be an integer' })
  @Min(1, { message: 'SAGA_TIMER_RETRY_DELAY_MS must be at least 1' })
  @Max(30_000, { message: 'SAGA_TIMER_RETRY_DELAY_MS must be at most 30000' })
  SAGA_TIMER_RETRY_DELAY_MS: number = 1_000;

  /** Connections of the pool that HTTP reads and long polls use, apart from the engine's. */
  @IsInt({ message: 'DATABASE_READ_POOL_SIZE must be an integer' })
  @Min(1, { message: 'DATABASE_READ_POOL_SIZE must be at least 1' })
  @Max(100, { message: 'DATABASE_READ_POOL_SIZE must be at most 100' })
  DATABASE_READ_POOL_SIZE: number = 5;

  /** `?wait=` long polls open at once; past it, a new one answers 503 with Retry-After. */
  @IsInt({ message: 'HTTP_MAX_OPEN_WAITS must be an integer' })
  @Min(1, { message: 'HTTP_MAX_OPEN_WAITS must be at least 1' })
  @Max(100_000, { message: 'HTTP_MAX_OPEN_WAITS must be at most 100000' })
  HTTP_MAX_OPEN_WAITS: number = 1_000;

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

  constructor() {
    super();
    for (const { name, port } of tripParticipantProfiles()) {
      this.participantUrls[participantUrlVariable(name)] = `http://localhost:${port}`;
    }
  }

  /** A participant's base URL, for the dashboard's System page (its /health and /faults). */
  participantUrl(name: TripParticipant): string {
    return this.participantUrls[participantUrlVariable(name)];
  }

  // The variables live on the instance itself, where loadConfig puts the environment's.
  private get participantUrls(): Record<string, string> {
    return this as unknown as Record<string, string>;
  }
}

/** `FLIGHT_URL`, `HOTEL_URL`, …: the variable that says where a participant runs. */
export const participantUrlVariable = (name: TripParticipant): string =>
  `${name.toUpperCase()}_URL`;

for (const { name } of tripParticipantProfiles()) {
  const variable = participantUrlVariable(name);
  Matches(PARTICIPANT_URL, { message: `${variable} must be an http:// URL` })(
    OrchestratorConfig.prototype,
    variable,
  );
}
