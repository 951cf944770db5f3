import { AuditEntry } from '../../model/audit-entry';
import { AwaitedReply, SagaInstance, StepState } from '../../model/saga-instance';
import { DueTimer } from '../saga-store.port';
import { SagaStatus } from '../../model/saga-status';
import { StepStatus } from '../../model/step-status';

/**
 * Columns of a saga, its steps included: a JSON array in its row, whose timestamps are ISO
 * strings (see `toStep`, `stepsColumn`).
 */
export const SAGA_COLUMNS = `
  i.id, i.definition_name, i.definition_version, i.status, i.compensating, i.data, i.awaiting,
  i.failure_reason, i.labels, i.start_key, i.start_fingerprint, i.version, i.created_at,
  i.updated_at, i.steps`;

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

/** The saga's steps as stored, in order: a JSON array whose times are ISO strings (`toStep`). */
export function stepsColumn(steps: readonly StepState[]): string {
  return JSON.stringify(
    steps.map((step): StepJson => ({
      name: step.name,
      status: step.status,
      attempts: step.attempts,
      compensationAttempts: step.compensationAttempts,
      startedAt: step.startedAt?.toISOString() ?? null,
      endedAt: step.endedAt?.toISOString() ?? null,
      lastError: step.lastError,
      mayHaveTakenEffect: step.mayHaveTakenEffect,
    })),
  );
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
