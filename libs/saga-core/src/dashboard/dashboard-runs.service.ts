import { Inject, Injectable, Optional } from '@nestjs/common';
import { renderSequenceSvg } from '../diagrams/sequence-svg';
import { sequenceFromAudit } from '../diagrams/sequence-flow';
import { sequenceParties } from '../diagrams/sequence-parties';
import { renderTimelineSvg } from '../diagrams/timeline-svg';
import { timelineFromAudit } from '../diagrams/timeline';
import { needsAttention } from '../engine/needs-attention';
import { SagaEngine } from '../engine/saga-engine';
import { SagaInstance } from '../model/saga-instance';
import { isTerminal, SagaStatus } from '../model/saga-status';
import { PersistedSpec, SagaQuery } from '../persistence/saga-store.port';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { formatCursor } from './run-query.parser';
import {
  ActionView,
  RunDetailView,
  RunView,
  toAuditLineView,
  toRunView,
  visibleSteps,
} from './run.view';
import { SAGA_DASHBOARD_OPTIONS, SagaDashboardOptions } from './saga-dashboard.options';

export interface RunsPage {
  /** Sagas of the filter by status, whatever the status filter and the page. */
  counts: Record<SagaStatus, number>;
  runs: RunView[];
  /** Pass as `after` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface DashboardConfig {
  title: string;
  statuses: SagaStatus[];
  labels: { key: string; title: string; values: string[] | null }[];
  dataFields: { name: string; title: string }[];
  definitions: { name: string; versions: number[]; style: 'orchestration' | 'choreography' }[];
}

/** The Runs and Run pages' data, from the engine and its stored definitions alone. */
@Injectable()
export class DashboardRunsService {
  private readonly engineName: string;

  constructor(
    private readonly engine: SagaEngine,
    @Inject(SAGA_DASHBOARD_OPTIONS) private readonly options: SagaDashboardOptions,
    @Optional() @Inject(SAGA_CORE_OPTIONS) core?: SagaCoreOptions,
  ) {
    this.engineName = core?.serviceName ?? 'engine';
  }

  async config(): Promise<DashboardConfig> {
    const byName = new Map<string, DashboardConfig['definitions'][number]>();
    for (const { spec } of await this.engine.definitions()) {
      const entry = byName.get(spec.name) ?? {
        name: spec.name,
        versions: [],
        style: styleOf(spec),
      };
      entry.versions.push(spec.version);
      byName.set(spec.name, entry);
    }
    return {
      title: this.options.title ?? 'Sagas',
      statuses: Object.values(SagaStatus),
      labels: (this.options.labels ?? []).map((l) => ({
        key: l.key,
        title: l.title,
        values: l.values ? [...l.values] : null,
      })),
      dataFields: (this.options.dataFields ?? []).map(({ name, title }) => ({ name, title })),
      definitions: [...byName.values()],
    };
  }

  async list(query: SagaQuery): Promise<RunsPage> {
    const { limit, ...rest } = query;
    // The counts cover the whole filter, whatever status is picked or page is shown.
    const filter = { ...rest, status: undefined, after: undefined };
    const [sagas, counts] = await Promise.all([
      // One more than asked tells whether an older page exists.
      this.engine.list({ ...query, limit: limit + 1 }),
      this.engine.countByStatus(filter),
    ]);
    const page = sagas.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      sagas.length > limit && last
        ? formatCursor({ createdAt: last.createdAt, id: last.id })
        : null;
    const now = Date.now();
    return { counts, runs: page.map((s) => toRunView(s, now)), nextCursor };
  }

  async attention(): Promise<RunView[]> {
    const sagas = await needsAttention(this.engine, {
      stuckSeconds: this.options.stuckSeconds ?? 60,
      limit: 200,
    });
    const now = Date.now();
    return sagas.map(({ saga }) => toRunView(saga, now));
  }

  async detail(id: string): Promise<RunDetailView | null> {
    const saga = await this.engine.find(id);
    if (!saga) return null;
    const [audit, definitions] = await Promise.all([
      this.engine.auditLog(id),
      this.engine.definitions(),
    ]);
    const spec =
      definitions.find(
        (d) => d.spec.name === saga.definitionName && d.spec.version === saga.definitionVersion,
      )?.spec ?? null;
    const steps = visibleSteps(saga).map((s) => s.name);
    const now = Date.now();
    const parties = sequenceParties(spec, { engine: this.engineName }, steps);
    const timeline = timelineFromAudit(audit, steps, isTerminal(saga.status) ? undefined : now);
    return {
      run: toRunView(saga, now),
      data: saga.data,
      audit: audit.map(toAuditLineView),
      timelineSvg: renderTimelineSvg(timeline, steps),
      sequenceSvg: renderSequenceSvg(`run-${saga.id}`, sequenceFromAudit(audit, parties), parties),
      actions: this.actions(saga, spec),
    };
  }

  private actions(saga: SagaInstance, spec: PersistedSpec | null): RunDetailView['actions'] {
    const allowed = this.engine.allowedActions(saga);
    const cancel: ActionView = { allowed: allowed.cancel, why: null };
    if (!allowed.cancel) {
      cancel.why = isTerminal(saga.status)
        ? `the saga has ended: ${saga.status}`
        : saga.compensating
          ? 'the saga is compensating already'
          : 'no step of the saga is running';
    }
    const retryCompensation: ActionView = { allowed: allowed.retryCompensation, why: null };
    if (!allowed.retryCompensation) {
      retryCompensation.why =
        spec && styleOf(spec) === 'choreography'
          ? "a choreographed saga's participants retry its compensations themselves"
          : `only a ${SagaStatus.COMPENSATION_FAILED} saga's compensations can be retried; this one is ${saga.status}`;
    }
    return { cancel, retryCompensation };
  }
}

function styleOf(spec: PersistedSpec): 'orchestration' | 'choreography' {
  return 'style' in spec && spec.style === 'choreography' ? 'choreography' : 'orchestration';
}
