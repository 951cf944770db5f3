import { Histogram, register } from 'prom-client';

/**
 * A histogram in the process-wide registry that `/metrics` serves, created on first use and
 * shared after that, like `sharedCounter`: apps in one process tell their samples apart by a
 * `service` label.
 */
export function sharedHistogram<Label extends string>(
  name: string,
  help: string,
  labelNames: readonly Label[],
  buckets: number[],
): Histogram<Label> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Histogram) return existing as Histogram<Label>;
  return new Histogram({ name, help, labelNames, buckets });
}
