import { AuditEntry } from '../../model/audit-entry';
import { AwaitedReply, SagaInstance, StepState } from '../../model/saga-instance';
import { DueTimer } from '../saga-store.port';
import { SagaStatus } from '../../model/saga-status';
import { StepStatus } from '../../model/step-status';

/**
 * Columns of a saga with its steps, in one statement so they come from one snapshot. Steps
 * travel as a JSON array, whose timestamps are ISO strings (see `toStep`).
 */
export const SAGA_COLUMNS = `
  i.id, i.definition_name, i.definition_version, i.status, i.compensating, i.data, i.awaiting,
  i.failure_reason, i.labels, i.start_key, i.start_fingerprint, i.version, i.created_at,
  i.updated_at,
  (SELECT coalesce(json_agg(json_build_object(
      'name', s.name, 'status', s.status, 'attempts', s.attempts,
      'compensationAttempts', s.compensation_attempts, 'startedAt', s.started_at,
      'endedAt', s.ended_at, 'lastError', s.last_error,
      'mayHaveTakenEffect', s.may_have_taken_effect) ORDER BY s.step_index), '[]'::json)
    FROM saga_step_states s WHERE s.saga_id = i.id) AS steps`;

export interface SagaRow {
  id: string;
  definition_name: string;
  definition_version: number;
  status: string;
  compensating: boolean;
  data: unknown;
  /** One object while a saga waits for one thing (as it always did), an array for several. */
  awaiting: AwaitedReply | AwaitedReply[] | null;
  failure_reason: string | null;
  labels: Record<string, string>;
  start_key: string | null;
  start_fingerprint: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  steps: StepJson[];
}

interface StepJson {
  name: string;
  status: string;
  attempts: number;
  compensationAttempts: number;
  startedAt: string | null;
  endedAt: string | null;
  lastError: string | null;
  mayHaveTakenEffect: boolean;
}

export interface AuditRow {
  saga_id: string;
  at: Date;
  type: string;
  step: string | null;
  detail: Record<string, unknown>;
}

export interface TimerRow {
  saga_id: string;
  fire_at: Date;
  key: string;
  attempts: number;
  definition_name: string;
  definition_version: number;
}

export function toInstance(row: SagaRow): SagaInstance {
  return {
    id: row.id,
    definitionName: row.definition_name,
    definitionVersion: row.definition_version,
    status: row.status as SagaStatus,
    compensating: row.compensating,
    data: row.data,
    steps: row.steps.map(toStep),
    awaiting: awaitingOf(row.awaiting),
    failureReason: row.failure_reason,
    labels: row.labels,
    startKey: row.start_key,
    startFingerprint: row.start_fingerprint,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toStep(step: StepJson): StepState {
  return {
    name: step.name,
    status: step.status as StepStatus,
    attempts: step.attempts,
    compensationAttempts: step.compensationAttempts,
    startedAt: step.startedAt === null ? null : new Date(step.startedAt),
    endedAt: step.endedAt === null ? null : new Date(step.endedAt),
    lastError: step.lastError,
    mayHaveTakenEffect: step.mayHaveTakenEffect,
  };
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  return { sagaId: row.saga_id, at: row.at, type: row.type, step: row.step, detail: row.detail };
}

export function toTimer(row: TimerRow): DueTimer {
  return {
    sagaId: row.saga_id,
    fireAt: row.fire_at,
    key: row.key,
    attempts: row.attempts,
    definition: { name: row.definition_name, version: row.definition_version },
  };
}

/** Nullable jsonb: SQL NULL for null, so `IS NULL` works on the column. */
/** The stored `awaiting`: null for nothing, an object for one thing, an array for several. */
export function awaitingColumn(awaiting: readonly AwaitedReply[]): string | null {
  if (awaiting.length === 0) return null;
  return JSON.stringify(awaiting.length === 1 ? awaiting[0] : awaiting);
}

function awaitingOf(stored: SagaRow['awaiting']): AwaitedReply[] {
  if (stored === null) return [];
  return Array.isArray(stored) ? stored : [stored];
}

/**
 * One array per column, for a single `INSERT ... SELECT FROM unnest(...)` of the steps: every
 * step, or only those at the indexes `only` names (`SagaTransition.changedSteps`).
 */
export function stepColumns(all: readonly StepState[], only?: readonly number[]): unknown[] {
  const indexes = only ?? all.map((_, index) => index);
  const steps = indexes.map((index) => all[index]);
  return [
    indexes,
    steps.map((s) => s.name),
    steps.map((s) => s.status),
    steps.map((s) => s.attempts),
    steps.map((s) => s.compensationAttempts),
    steps.map((s) => s.startedAt),
    steps.map((s) => s.endedAt),
    steps.map((s) => s.lastError),
    steps.map((s) => s.mayHaveTakenEffect),
  ];
}

/**
 * Audit lines as `insertAuditRows` takes them: one row per saga, in the order the sagas first
 * appear, each with its lines in the order given.
 */
export function auditColumns(entries: readonly AuditEntry[]): [string[], Date[], string[]] {
  const bySaga = new Map<string, AuditEntry[]>();
  for (const entry of entries) {
    const lines = bySaga.get(entry.sagaId);
    if (lines) lines.push(entry);
    else bySaga.set(entry.sagaId, [entry]);
  }
  const rows = [...bySaga.values()];
  return [
    rows.map((lines) => lines[0].sagaId),
    rows.map((lines) => lines[0].at),
    rows.map((lines) =>
      JSON.stringify(
        lines.map(({ at, type, step, detail }) => ({ at, type, step, detail: detail ?? {} })),
      ),
    ),
  ];
}
