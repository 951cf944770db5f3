import { Counter, register } from 'prom-client';

/**
 * A counter in the process-wide registry that `/metrics` serves, created on first use and
 * shared after that: several apps in one process (end-to-end tests) register it once and tell
 * their samples apart by a `service` label.
 */
export function sharedCounter<Label extends string>(
  name: string,
  help: string,
  labelNames: readonly Label[],
): Counter<Label> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<Label>;
  return new Counter({ name, help, labelNames });
}
