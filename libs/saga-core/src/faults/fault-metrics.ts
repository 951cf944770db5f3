import { Counter } from 'prom-client';
import { sharedCounter } from '../health/shared-counter';

const HITS_METRIC = 'saga_fault_rule_hits_total';

export type FaultHitsCounter = Counter<'service' | 'action'>;

/**
 * Runtime fault rules that fired, by action, in the process-wide registry `/metrics` serves.
 * Several apps in one process (end-to-end tests) share it, told apart by the `service` label.
 */
export function faultRuleHitsCounter(): FaultHitsCounter {
  return sharedCounter(HITS_METRIC, 'Runtime fault rules that fired on this service, by action', [
    'service',
    'action',
  ]);
}
