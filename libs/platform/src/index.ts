/**
 * The plumbing the demo's services share: configuration validated at boot, the app's
 * database created and migrated before it starts, `/health` and `/metrics`, pino logs and
 * tracing, `/faults`. Built on `@app/saga-core`, which knows nothing of it.
 */
export * from './bootstrap/service-config';
export * from './bootstrap/local-database-url';
export * from './bootstrap/config.loader';
export * from './bootstrap/database.bootstrap';
export * from './bootstrap/service-app.module';
export * from './bootstrap/app.bootstrap';
export * from './bootstrap/service-app.factory';
export * from './health/service-health.module';
export * from './faults/create-fault-rule.dto';
export * from './faults/faults.module';
export * from './throttling/sliding-log.throttler-storage';
