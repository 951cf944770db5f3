import { SagaInstance } from '../model/saga-instance';
import { IgnoredEvent } from '../model/saga-machine';
import { SagaTransition } from '../model/saga-transition';

/** One line per committed transition, for debug logs: the saga, its status, what happened. */
export function describeTransition({ instance, audit }: SagaTransition): string {
  const what = audit.map((line) => (line.step ? `${line.type} ${line.step}` : line.type));
  return `saga ${instance.id} v${instance.version} ${instance.status}: ${what.join(', ')}`;
}

/**
 * A decision as a transition to write. An ignored message changes nothing but its audit line,
 * and still moves the version: every message claimed for a saga does, which is what lets a
 * write on an earlier copy of the saga see that it lost a race.
 */
export function asTransition(
  saga: SagaInstance,
  decided: SagaTransition | IgnoredEvent,
): SagaTransition {
  if (!('ignored' in decided)) return decided;
  const instance = { ...saga, version: saga.version + 1 };
  return { instance, audit: decided.audit, messages: [], timer: undefined };
}
