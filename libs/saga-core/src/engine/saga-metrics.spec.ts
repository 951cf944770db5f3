import { register } from 'prom-client';
import { AuditEntry, AuditType } from '../model/audit-entry';
import { SagaInstance, StepState } from '../model/saga-instance';
import { SagaMetrics } from './saga-metrics';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { StepStatus } from '../model/step-status';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));

function step(name: string, status: StepStatus, startedMs?: number, endedMs?: number): StepState {
  return {
    name,
    status,
    attempts: 1,
    compensationAttempts: 0,
    startedAt: startedMs === undefined ? null : at(startedMs),
    endedAt: endedMs === undefined ? null : at(endedMs),
    lastError: null,
    mayHaveTakenEffect: false,
  };
}

function transition(
  status: SagaStatus,
  steps: StepState[],
  lines: [AuditType, string | null][],
  updatedMs: number,
): SagaTransition {
  const instance: SagaInstance = {
    id: 's-1',
    definitionName: 'order',
    definitionVersion: 1,
    status,
    compensating: false,
    data: {},
    steps,
    awaiting: [],
    failureReason: null,
    labels: { mode: 'orchestrated' },
    startKey: null,
    startFingerprint: null,
    version: 2,
    createdAt: at(0),
    updatedAt: at(updatedMs),
  };
  const audit: AuditEntry[] = lines.map(([type, name]) => ({
    sagaId: 's-1',
    at: at(updatedMs),
    type,
    step: name,
    detail: {},
  }));
  return { instance, audit, messages: [], timer: undefined };
}

/** A sample's value; a histogram's `_count` and `_sum` are values of the histogram itself. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const family = name.replace(/_(count|sum)$/, '');
  const metric = await (register.getSingleMetric(name) ?? register.getSingleMetric(family))?.get();
  return metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric.name) === name &&
      Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  )?.value;
}

describe('SagaMetrics', () => {
  const metrics = new SagaMetrics('orchestrator');
  const base = { service: 'orchestrator', definition: 'order', mode: 'orchestrated' };

  beforeEach(() => register.resetMetrics());

  it('counts a start, and an end with its status and duration', async () => {
    metrics.observe(transition(SagaStatus.PENDING, [], [[AuditType.SAGA_STARTED, null]], 0));
    metrics.observe(
      transition(SagaStatus.CANCELLED, [], [[AuditType.SAGA_CANCELLED, null]], 1_500),
    );
    expect(await sample('saga_started_total', base)).toBe(1);
    expect(await sample('saga_ended_total', { ...base, status: 'CANCELLED' })).toBe(1);
    expect(await sample('saga_duration_seconds_sum', { ...base, status: 'CANCELLED' })).toBe(1.5);
  });

  it('times a step from its first command to its outcome, not a timed-out step that is retried', async () => {
    metrics.observe(
      transition(
        SagaStatus.PENDING,
        [step('stock', StepStatus.RUNNING, 100)],
        [
          [AuditType.STEP_TIMED_OUT, 'stock'],
          [AuditType.STEP_RETRY_SCHEDULED, 'stock'],
        ],
        400,
      ),
    );
    expect(await sample('saga_step_duration_seconds_count', { step: 'stock' })).toBeUndefined();
    expect(await sample('saga_retries_total', { ...base, step: 'stock', phase: 'forward' })).toBe(
      1,
    );
    metrics.observe(
      transition(
        SagaStatus.PENDING,
        [step('stock', StepStatus.COMPLETED, 100, 350)],
        [[AuditType.STEP_COMPLETED, 'stock']],
        350,
      ),
    );
    const completed = { ...base, step: 'stock', outcome: 'completed' };
    expect(await sample('saga_step_duration_seconds_count', completed)).toBe(1);
    expect(await sample('saga_step_duration_seconds_sum', completed)).toBeCloseTo(0.25);
  });

  it('counts compensations by outcome, late replies and operator actions', async () => {
    metrics.observe(
      transition(
        SagaStatus.PENDING,
        [step('stock', StepStatus.COMPENSATED), step('card', StepStatus.COMPENSATION_FAILED)],
        [
          [AuditType.OPERATOR_CANCELLED, 'card'],
          [AuditType.STEP_COMPENSATION_FAILED, 'card'],
          [AuditType.STEP_COMPENSATED, 'stock'],
          [AuditType.REPLY_IGNORED, 'stock'],
        ],
        10,
      ),
    );
    expect(
      await sample('saga_compensations_total', { step: 'stock', outcome: 'compensated' }),
    ).toBe(1);
    expect(await sample('saga_compensations_total', { step: 'card', outcome: 'failed' })).toBe(1);
    expect(await sample('saga_ignored_messages_total', base)).toBe(1);
    expect(await sample('saga_operator_actions_total', { ...base, action: 'cancel' })).toBe(1);
  });
});
