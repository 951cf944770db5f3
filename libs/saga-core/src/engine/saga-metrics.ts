import { Counter, Histogram } from 'prom-client';
import { sharedCounter } from '../health/shared-counter';
import { sharedHistogram } from '../health/shared-histogram';
import { AuditType } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { SagaTransition } from '../model/saga-transition';
import { StepStatus } from '../model/step-status';

type SagaLabel = 'service' | 'definition' | 'mode';
type StepLabel = SagaLabel | 'step';

/** Seconds; a saga spans its steps, their retries and their compensations. */
const SAGA_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds from a step's first command to its outcome, retries included. */
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How a step ended, by the audit line that says so. */
const STEP_OUTCOMES: Partial<Record<string, string>> = {
  [AuditType.STEP_COMPLETED]: 'completed',
  [AuditType.STEP_FAILED]: 'failed',
  [AuditType.STEP_TIMED_OUT]: 'timed_out',
  [AuditType.OPERATOR_CANCELLED]: 'cancelled',
};
const ENDINGS: Partial<Record<string, string>> = {
  [AuditType.SAGA_CONFIRMED]: 'CONFIRMED',
  [AuditType.SAGA_CANCELLED]: 'CANCELLED',
  [AuditType.SAGA_COMPENSATION_FAILED]: 'COMPENSATION_FAILED',
};

/**
 * The engine's counters and histograms, taken from what a committed transition's audit lines
 * already say happened: no query and no clock read of their own, only the increments. `mode`
 * is the saga's `mode` label (the trip's orchestrated or choreographed). Several apps in one
 * process (end-to-end tests) share them, told apart by the `service` label.
 */
export class SagaMetrics {
  private readonly started: Counter<SagaLabel>;
  private readonly ended: Counter<SagaLabel | 'status'>;
  private readonly duration: Histogram<SagaLabel | 'status'>;
  private readonly stepDuration: Histogram<StepLabel | 'outcome'>;
  private readonly compensations: Counter<StepLabel | 'outcome'>;
  private readonly retries: Counter<StepLabel | 'phase'>;
  private readonly ignored: Counter<SagaLabel>;
  private readonly operatorActions: Counter<SagaLabel | 'action'>;
  private readonly together: Counter<'service'>;

  constructor(private readonly service: string) {
    const saga = ['service', 'definition', 'mode'] as const;
    const step = [...saga, 'step'] as const;
    this.started = sharedCounter('saga_started_total', 'Sagas started', saga);
    this.ended = sharedCounter('saga_ended_total', 'Sagas ended, by status', [...saga, 'status']);
    this.duration = sharedHistogram(
      'saga_duration_seconds',
      'Time from a saga start to its end, by status',
      [...saga, 'status'],
      SAGA_BUCKETS,
    );
    this.stepDuration = sharedHistogram(
      'saga_step_duration_seconds',
      "Time from a step's first command to its outcome (completed, failed, timed_out, cancelled)",
      [...step, 'outcome'],
      STEP_BUCKETS,
    );
    this.compensations = sharedCounter(
      'saga_compensations_total',
      'Step compensations that ended, by outcome (compensated or failed)',
      [...step, 'outcome'],
    );
    this.retries = sharedCounter(
      'saga_retries_total',
      'Retries scheduled, by phase (forward or compensation)',
      [...step, 'phase'],
    );
    this.ignored = sharedCounter(
      'saga_ignored_messages_total',
      'Replies and events that came too late or twice, recorded and not acted on',
      saga,
    );
    this.operatorActions = sharedCounter(
      'saga_operator_actions_total',
      'Operator actions taken on sagas, by action',
      [...saga, 'action'],
    );
    this.together = sharedCounter(
      'saga_messages_written_together_total',
      "Messages decided on top of their saga's lingering decision and written with it",
      ['service'],
    );
  }

  /** `count` messages were written in the transition of the saga's message before them. */
  wroteTogether(count: number): void {
    this.together.inc({ service: this.service }, count);
  }

  /** Counts what one committed transition did. */
  observe({ instance, audit }: SagaTransition): void {
    const labels = {
      service: this.service,
      definition: instance.definitionName,
      mode: instance.labels.mode ?? 'unlabelled',
    };
    for (const line of audit) {
      const type = line.type;
      if (type === AuditType.SAGA_STARTED) this.started.inc(labels);
      else if (ENDINGS[type]) this.end(instance, labels, ENDINGS[type]);
      else if (STEP_OUTCOMES[type])
        this.stepEnded(instance, labels, line.step, STEP_OUTCOMES[type]);
      else if (type === AuditType.STEP_COMPENSATED || type === AuditType.STEP_COMPENSATION_FAILED) {
        const outcome = type === AuditType.STEP_COMPENSATED ? 'compensated' : 'failed';
        this.compensations.inc({ ...labels, step: line.step ?? '', outcome });
      } else if (type === AuditType.STEP_RETRY_SCHEDULED) {
        this.retries.inc({ ...labels, step: line.step ?? '', phase: 'forward' });
      } else if (type === AuditType.COMPENSATION_RETRY_SCHEDULED) {
        this.retries.inc({ ...labels, step: line.step ?? '', phase: 'compensation' });
      } else if (type === AuditType.REPLY_IGNORED || type === AuditType.EVENT_IGNORED) {
        this.ignored.inc(labels);
      }
      if (type === AuditType.OPERATOR_CANCELLED) {
        this.operatorActions.inc({ ...labels, action: 'cancel' });
      } else if (type === AuditType.OPERATOR_RETRIED_COMPENSATION) {
        this.operatorActions.inc({ ...labels, action: 'retry-compensation' });
      }
    }
  }

  private end(saga: SagaInstance, labels: Record<SagaLabel, string>, status: string): void {
    this.ended.inc({ ...labels, status });
    const seconds = (saga.updatedAt.getTime() - saga.createdAt.getTime()) / 1000;
    this.duration.observe({ ...labels, status }, seconds);
  }

  private stepEnded(
    saga: SagaInstance,
    labels: Record<SagaLabel, string>,
    name: string | null,
    outcome: string,
  ): void {
    const step = saga.steps.find((s) => s.name === name);
    // A timed-out step that is retried has not ended; its next outcome is counted instead.
    if (!step?.startedAt || !step.endedAt || step.status === StepStatus.RUNNING) return;
    const seconds = (step.endedAt.getTime() - step.startedAt.getTime()) / 1000;
    this.stepDuration.observe({ ...labels, step: step.name, outcome }, seconds);
  }
}
