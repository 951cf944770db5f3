import { AuditEntry } from '../model/audit-entry';
import { SagaInstance, StepState } from '../model/saga-instance';
import { isTerminal } from '../model/saga-status';
import { StepStatus } from '../model/step-status';

/** One step of a saga, as JSON: its status, attempts, times and last error. */
export interface StepView {
  name: string;
  status: string;
  attempts: number;
  compensationAttempts: number;
  startedAt: string | null;
  endedAt: string | null;
  lastError: string | null;
}

/**
 * The steps a saga shows: all but those that do not apply to it (`INACTIVE`), so a saga that
 * skips an optional step reads as it did before the step existed.
 */
export function visibleSteps(saga: Pick<SagaInstance, 'steps'>): StepState[] {
  return saga.steps.filter((step) => step.status !== StepStatus.INACTIVE);
}

export function toStepView(step: StepState): StepView {
  return {
    name: step.name,
    status: step.status,
    attempts: step.attempts,
    compensationAttempts: step.compensationAttempts,
    startedAt: step.startedAt?.toISOString() ?? null,
    endedAt: step.endedAt?.toISOString() ?? null,
    lastError: step.lastError,
  };
}

/** A saga as the dashboard shows it in a list. */
export interface RunView {
  id: string;
  definition: { name: string; version: number };
  status: string;
  compensating: boolean;
  failureReason: string | null;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Start to end, or to now while it runs. */
  durationMs: number;
  steps: StepView[];
}

/** An action an operator may take, or why not. */
export interface ActionView {
  allowed: boolean;
  /** Why it is not allowed; null when it is. */
  why: string | null;
}

export interface AuditLineView {
  at: string;
  type: string;
  step: string | null;
  detail: Record<string, unknown>;
}

/** Everything the Run page draws, in one answer. */
export interface RunDetailView {
  run: RunView;
  data: unknown;
  audit: AuditLineView[];
  timelineSvg: string;
  sequenceSvg: string;
  actions: { cancel: ActionView; retryCompensation: ActionView };
}

export function toRunView(saga: SagaInstance, now = Date.now()): RunView {
  const end = isTerminal(saga.status) ? saga.updatedAt.getTime() : now;
  return {
    id: saga.id,
    definition: { name: saga.definitionName, version: saga.definitionVersion },
    status: saga.status,
    compensating: saga.compensating,
    failureReason: saga.failureReason,
    labels: saga.labels,
    createdAt: saga.createdAt.toISOString(),
    updatedAt: saga.updatedAt.toISOString(),
    durationMs: Math.max(0, end - saga.createdAt.getTime()),
    steps: visibleSteps(saga).map(toStepView),
  };
}

export function toAuditLineView(entry: AuditEntry): AuditLineView {
  return { at: entry.at.toISOString(), type: entry.type, step: entry.step, detail: entry.detail };
}
