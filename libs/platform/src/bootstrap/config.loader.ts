import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

type Env = Record<string, string | undefined>;

/**
 * Reads an app's configuration from an environment-like object into a class-validator class,
 * applying the class's defaults; a missing or malformed variable fails at boot, by name.
 * Taking the environment as an argument (not `process.env` at import time) lets several apps
 * with different settings run in one process, as the end-to-end tests do.
 */
export function loadConfig<T extends object>(type: new () => T, env: Env = process.env): T {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const config = plainToInstance(type, defined, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    const problems = errors.map(
      (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`,
    );
    throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return config;
}
