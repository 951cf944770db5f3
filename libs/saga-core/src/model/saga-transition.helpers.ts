import { AuditEntry, AuditType } from './audit-entry';
import { SagaInstance, StepState } from './saga-instance';
import { SagaStatus } from './saga-status';
import { SagaStartInput } from './saga-machine';
import { SagaTransition } from './saga-transition';
import { StepStatus } from './step-status';

/**
 * The plumbing both coordination styles share: a transition starts from a copy of the saga
 * (one version up), collects audit lines, and ends a compensation the same way.
 */
export function beginTransition<Data>(
  current: SagaInstance<Data>,
  now: Date,
): SagaTransition<Data> {
  const instance: SagaInstance<Data> = {
    ...current,
    steps: current.steps.map((s) => ({ ...s })),
    labels: { ...current.labels },
    version: current.version + 1,
    updatedAt: now,
  };
  return { instance, audit: [], messages: [], timer: undefined };
}

export function auditLine(
  t: SagaTransition<unknown>,
  type: AuditType,
  step: string | null,
  detail: Record<string, unknown>,
): AuditEntry {
  return { sagaId: t.instance.id, at: t.instance.updatedAt, type, step, detail };
}

export function emptyStep(name: string): StepState {
  return {
    name,
    status: StepStatus.PENDING,
    attempts: 0,
    compensationAttempts: 0,
    startedAt: null,
    endedAt: null,
    lastError: null,
    mayHaveTakenEffect: false,
  };
}

/** Ends a saga whose compensation is over: CANCELLED, or COMPENSATION_FAILED if a step could not be undone. */
export function finishCompensation(t: SagaTransition<unknown>): void {
  const failed = t.instance.steps.filter((s) => s.status === StepStatus.COMPENSATION_FAILED);
  for (const step of t.instance.steps) {
    if (step.status === StepStatus.PENDING) step.status = StepStatus.SKIPPED;
  }
  t.timer = null;
  t.instance.awaiting = [];
  if (failed.length > 0) {
    t.instance.status = SagaStatus.COMPENSATION_FAILED;
    t.audit.push(
      auditLine(t, AuditType.SAGA_COMPENSATION_FAILED, null, {
        cause: t.instance.failureReason,
        uncompensated: failed.map((s) => s.name),
      }),
    );
  } else {
    t.instance.status = SagaStatus.CANCELLED;
    t.audit.push(auditLine(t, AuditType.SAGA_CANCELLED, null, { cause: t.instance.failureReason }));
  }
}

/**
 * A new saga's first transition, whatever its style: the instance PENDING at version 1 with
 * every step not started, and its `SAGA_STARTED` audit line. The style then sends or
 * publishes what starts it.
 */
export function startTransition<Data>(
  spec: { name: string; version: number; steps: readonly { name: string }[] },
  input: SagaStartInput<Data>,
  now: Date,
): SagaTransition<Data> {
  const instance: SagaInstance<Data> = {
    id: input.sagaId,
    definitionName: spec.name,
    definitionVersion: spec.version,
    status: SagaStatus.PENDING,
    compensating: false,
    data: input.data,
    steps: spec.steps.map((s) => emptyStep(s.name)),
    awaiting: [],
    failureReason: null,
    labels: input.labels ?? {},
    startKey: input.startKey ?? null,
    startFingerprint: input.startFingerprint ?? null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const t: SagaTransition<Data> = { instance, audit: [], messages: [], timer: undefined };
  t.audit.push(
    auditLine(t, AuditType.SAGA_STARTED, null, {
      definition: `${spec.name}@${spec.version}`,
      data: input.data,
    }),
  );
  return t;
}

/**
 * Marks the steps that do not apply to this saga (`active[i]` false: an optional step whose
 * predicate did not hold on the starting data) INACTIVE. Decided once, at the start, before
 * the saga's first write: the step is created inactive, with no state change of its own to
 * audit, and from then on it is passed over both ways.
 */
export function skipInactiveSteps(t: SagaTransition<unknown>, active: readonly boolean[]): void {
  t.instance.steps.forEach((step, i) => {
    if (active[i] === false) step.status = StepStatus.INACTIVE;
  });
}

/** The first step at or after `from` that runs for this saga, or -1 when none is left. */
export function nextActiveStep(instance: SagaInstance<unknown>, from: number): number {
  for (let i = from; i < instance.steps.length; i++) {
    if (instance.steps[i].status !== StepStatus.INACTIVE) return i;
  }
  return -1;
}
