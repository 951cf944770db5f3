import { isDeepStrictEqual } from 'node:util';
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
  if (!('ignored' in decided)) return withChangedSteps(saga, decided);
  const instance = { ...saga, version: saga.version + 1 };
  return { instance, audit: decided.audit, messages: [], timer: undefined, changedSteps: [] };
}

/** Names the steps `transition` changed from `before` (`SagaTransition.changedSteps`). */
export function withChangedSteps(before: SagaInstance, transition: SagaTransition): SagaTransition {
  const after = transition.instance.steps;
  // Dates compare by their time: an equal time in another Date object is no change.
  transition.changedSteps = after.flatMap((step, i) =>
    isDeepStrictEqual(before.steps[i], step) ? [] : [i],
  );
  return transition;
}
