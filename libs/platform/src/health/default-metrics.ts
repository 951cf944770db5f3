import { collectDefaultMetrics, register } from 'prom-client';

/** One of the metrics `collectDefaultMetrics` registers, to tell whether it already ran. */
const PROBE_METRIC = 'process_cpu_user_seconds_total';

/**
 * Process metrics (CPU, memory, event loop) in the process-wide registry, once per process:
 * a second registration throws, and end-to-end tests run several apps in one process.
 */
export function collectDefaultMetricsOnce(): void {
  if (register.getSingleMetric(PROBE_METRIC)) return;
  collectDefaultMetrics();
}
