import { RetryPolicy } from './retry-policy';

/** Where a step stands in the order the saga pattern teaches. */
export const StepKind = {
  /** Has a compensation: can be undone if a later step fails. */
  COMPENSATABLE: 'compensatable',
  /** The go/no-go step: after it succeeds, the saga runs to the end. */
  PIVOT: 'pivot',
  /** Follows the pivot: never fails for good, it is retried until it succeeds. */
  RETRIABLE: 'retriable',
} as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

/** A command as the definition names it: channel and type, no code. */
export interface CommandRef {
  channel: string;
  type: string;
}

/** One step of a saga, in a plain serialisable form. */
export interface StepSpec {
  name: string;
  kind: StepKind;
  command: CommandRef;
  compensation: CommandRef | null;
  /** How long to wait for a reply before the step counts as timed out. */
  timeoutMs: number;
  /** Forward retries for transient failures; business refusals are never retried. */
  retry: RetryPolicy;
  /** Whether a timeout counts as transient (retried) rather than final (compensate). */
  retryOnTimeout: boolean;
  compensationRetry: RetryPolicy;
  /**
   * Set (and only then present) when the step runs only for some data (`onlyIf`): whether it
   * does is decided once, when the saga starts; a step that does not is INACTIVE.
   */
  optional?: true;
  /**
   * Set (and only then present) when the step starts together with the step before it
   * (`inParallel`), without waiting for its reply: consecutive such steps and the one they
   * follow form a parallel group, and the step after the group starts once all of them have
   * succeeded. A coordination style that cannot run steps at once runs them in order.
   */
  parallel?: true;
}

/** A saga definition as persisted: a name, a version, and its steps in order. */
export interface SagaSpec {
  name: string;
  version: number;
  steps: StepSpec[];
}

/**
 * The first and last index of the parallel group step `stepIndex` belongs to (the step alone
 * when it is in none): the steps that start together with it.
 */
export function parallelGroupOf(
  steps: readonly Pick<StepSpec, 'parallel'>[],
  stepIndex: number,
): { first: number; last: number } {
  let first = stepIndex;
  while (first > 0 && steps[first].parallel) first--;
  let last = stepIndex;
  while (last + 1 < steps.length && steps[last + 1].parallel) last++;
  return { first, last };
}
