import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditType } from '../model/audit-entry';
import { SagaEngine } from '../engine/saga-engine';
import {
  MESSAGING_STATS,
  MessagingStats,
  MessagingStatsSnapshot,
} from '../messaging/messaging-stats.port';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import {
  DEAD_LETTERS,
  DeadLetter,
  DeadLetterQueueState,
  DeadLetters,
} from '../transport/dead-letters.port';
import { MessageTransport } from '../transport/message-transport';
import { SAGA_DASHBOARD_OPTIONS, SagaDashboardOptions } from './saga-dashboard.options';

const PROBE_TIMEOUT_MS = 2_000;
/** Dead letters looked at per queue: enough to see why, few enough to stay quick. */
const PEEK = 20;
const MOVE_LIMIT = 1_000;

export interface AppHealthView {
  name: string;
  url: string | null;
  status: 'up' | 'down' | 'unreachable';
  /** `/health`'s answer, or what went wrong. */
  detail: unknown;
}

export interface FaultRulesView {
  service: string;
  /** The rules in force; null when they could not be read (see `note`). */
  rules: unknown[] | null;
  note: string | null;
}

export interface SystemView {
  apps: AppHealthView[];
  messaging: { service: string } & MessagingStatsSnapshot;
  deadLetters: DeadLetterQueueState[];
  faults: FaultRulesView[];
}

/** The System page: every app's health, this app's messaging, dead letters, fault rules. */
@Injectable()
export class DashboardSystemService {
  private readonly logger = new Logger(DashboardSystemService.name);

  constructor(
    private readonly engine: SagaEngine,
    private readonly transport: MessageTransport,
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_STATS) private readonly messaging: MessagingStats,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetters,
    @Inject(SAGA_CORE_OPTIONS) private readonly core: SagaCoreOptions,
    @Inject(SAGA_DASHBOARD_OPTIONS) private readonly options: SagaDashboardOptions,
  ) {}

  async state(): Promise<SystemView> {
    const services = this.options.services ?? [];
    const [self, apps, messaging, deadLetters, faults] = await Promise.all([
      this.selfHealth(),
      Promise.all(services.map((s) => probeHealth(s.name, s.url))),
      this.messaging.snapshot(),
      Promise.all(this.queues().map((q) => this.deadLetters.inspect(q, PEEK))),
      Promise.all(services.map((s) => probeFaults(s.name, s.url))),
    ]);
    return {
      apps: [self, ...apps],
      messaging: { service: this.core.serviceName, ...messaging },
      deadLetters,
      faults,
    };
  }

  /**
   * Moves dead letters of one of the system's queues back to it, and records it: a line in
   * the log, and one in the audit log of each saga a moved message names.
   */
  async moveBack(
    queue: string,
    by: { operator: string; reason: string },
    messageIds?: readonly string[],
  ): Promise<DeadLetter[]> {
    if (!this.queues().includes(queue)) throw new NotFoundException(`no queue ${queue} here`);
    const moved = await this.deadLetters.moveBack(queue, {
      messageIds,
      limit: MOVE_LIMIT,
      movedBy: by.operator,
    });
    this.logger.log(
      `${by.operator} moved ${moved.length} dead letters back to ${queue} (${by.reason}): ` +
        moved.map((m) => m.messageId ?? '?').join(', '),
    );
    for (const message of moved) {
      if (!message.sagaId) continue;
      await this.engine.annotate(message.sagaId, {
        type: AuditType.DEAD_LETTER_MOVED,
        step: null,
        detail: {
          operator: by.operator,
          reason: by.reason,
          queue,
          messageId: message.messageId,
          messageType: message.type,
          deadLetterReason: message.reason,
        },
      });
    }
    return moved;
  }

  /** This engine's queues, then the other apps'. */
  queues(): string[] {
    const theirs = (this.options.services ?? []).flatMap((s) => s.queues ?? []);
    return [...new Set([...this.engine.queues(), ...theirs])];
  }

  private async selfHealth(): Promise<AppHealthView> {
    const database = await Promise.race([
      this.dataSource.query('SELECT 1').then(
        () => 'up',
        () => 'down',
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('down'), PROBE_TIMEOUT_MS).unref()),
    ]);
    const broker = this.transport.isConnected() ? 'up' : 'down';
    const up = database === 'up' && broker === 'up';
    return {
      name: this.core.serviceName,
      url: null,
      status: up ? 'up' : 'down',
      detail: { database, broker },
    };
  }
}

async function probeHealth(name: string, url: string): Promise<AppHealthView> {
  try {
    const response = await fetch(`${url}/health`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const detail: unknown = await response.json().catch(() => null);
    return { name, url, status: response.ok ? 'up' : 'down', detail };
  } catch (error) {
    return { name, url, status: 'unreachable', detail: String((error as Error).cause ?? error) };
  }
}

async function probeFaults(service: string, url: string): Promise<FaultRulesView> {
  try {
    const response = await fetch(`${url}/faults`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (response.ok) return { service, rules: (await response.json()) as unknown[], note: null };
    await response.body?.cancel();
    const note =
      response.status === 403
        ? 'fault injection is off'
        : response.status === 404
          ? 'no /faults on this app'
          : `/faults answered ${response.status}`;
    return { service, rules: null, note };
  } catch (error) {
    return {
      service,
      rules: null,
      note: `unreachable: ${String((error as Error).cause ?? error)}`,
    };
  }
}
