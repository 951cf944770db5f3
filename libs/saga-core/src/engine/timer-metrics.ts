import { Counter } from 'prom-client';
import { sharedCounter } from '../health/shared-counter';

/** What became of a timer whose firing threw: due again after a backoff, or parked. */
export type TimerFailureOutcome = 'retried' | 'parked';

export type TimerFailuresCounter = Counter<'service' | 'definition' | 'outcome'>;

/**
 * `saga_timer_failures_total{service,definition,outcome}`: timers whose firing threw, by the
 * definition (`name@version`) of their saga. Any `parked` one waits for an operator.
 */
export function timerFailuresCounter(): TimerFailuresCounter {
  return sharedCounter(
    'saga_timer_failures_total',
    'Saga timers whose firing threw, by definition and outcome (retried later, or parked)',
    ['service', 'definition', 'outcome'],
  );
}
