// Decorator metadata (the variables' types) must exist before the config classes are defined.
import 'reflect-metadata';
import { IsInt, Matches, Max, Min } from 'class-validator';

/** Variables as the process gets them: `process.env`, or an explicit object in tests. */
export type Env = Record<string, string | undefined>;

/**
 * What every service reads from its environment. An app extends it to give its own defaults
 * (`override PORT = 3001`) and add variables; `loadConfig` reads and checks it at boot.
 */
export class ServiceConfig {
  @IsInt({ message: 'PORT must be an integer' })
  @Min(0, { message: 'PORT must be at least 0' })
  @Max(65535, { message: 'PORT must be at most 65535' })
  PORT: number = 3000;

  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@localhost:5432/postgres';

  @Matches(/^amqps?:\/\/\S+$/, { message: 'AMQP_URL must be an amqp:// URL' })
  AMQP_URL: string = 'amqp://guest:guest@localhost:5672';
}
