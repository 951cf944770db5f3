import { Counter, register } from 'prom-client';

const HITS_METRIC = 'saga_fault_rule_hits_total';

export type FaultHitsCounter = Counter<'service' | 'action'>;

/**
 * Runtime fault rules that fired, by action, in the process-wide registry `/metrics` serves.
 * Several apps in one process (end-to-end tests) share it, told apart by the `service` label.
 */
export function faultRuleHitsCounter(): FaultHitsCounter {
  const existing = register.getSingleMetric(HITS_METRIC);
  if (existing instanceof Counter) return existing as FaultHitsCounter;
  return new Counter({
    name: HITS_METRIC,
    help: 'Runtime fault rules that fired on this service, by action',
    labelNames: ['service', 'action'],
  });
}
