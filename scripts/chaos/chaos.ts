import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BookingClient } from '../support/booking-client';
import { mapLimit } from '../support/map-limit';
import { TERMINAL_STATUSES } from '../compare/runner';
import { queryRows } from '../support/pg-query';
import { tripViolations } from '../support/trip-invariants';
import { BookingOutcomeRecord, Orchestrator, sendBooking } from './chaos-booker';
import { chaosProcesses, startChaosApps } from './chaos-apps';
import { ChaosInfrastructure } from './chaos-infrastructure';
import { ChaosMonkey, DisruptionEvent } from './chaos-monkey';
import { planDisruptions } from './chaos-plan';
import { ChaosOptions } from './chaos.options';
import { buildChaosWorkload } from './chaos-workload';
import { outageMaker } from './outage-maker';
import { Quiescence, awaitQuiescence } from './quiescence';
import { PoisonInjector, planPoison } from './poison-injector';
import { deadLetterViolations } from './dead-letter-check';
import {
  checkHostileReplyTo,
  expectedHostileDeadLetters,
  participantConnections,
  planHostileReplyTo,
} from './hostile-reply-to';
import { NO_RUNTIME_FAULTS, RuntimeFaultInjector } from './runtime-faults';
import { UndoThrowFault, UndoThrowReport, planUndoThrows } from './undo-throw-fault';
import { ProcessFreezer } from './process-freezer';
import { plantPoisonTimers, unparkedPoisonTimers } from './poison-timers';

export interface ChaosHooks {
  onPhase?(message: string): void;
  onBookingSent?(record: BookingOutcomeRecord, done: number, total: number): void;
  onDisruption?(event: DisruptionEvent): void;
  runtimeFaults?: RuntimeFaultInjector;
}

export interface ChaosSummary {
  bookings: number;
  /** App processes the run started: every orchestrator and every participant instance. */
  processes: number;
  faults: number;
  restarts: number;
  outages: number;
  pending: number;
  violations: number;
  /** Poison messages published; each must end in a dead-letter queue, and nothing else may. */
  poison: number;
  /** Processes frozen inside a transaction, then thawed. */
  freezes: number;
  /** Timers planted that cannot fire; each must end parked. */
  poisonTimers: number;
  /** Commands with a hostile replyTo; each must be dead-lettered as `untrusted-reply-to`. */
  hostileReplyTo: number;
}

export interface ChaosResult {
  runId: string;
  options: ChaosOptions;
  startedAt: string;
  endedAt: string;
  summary: ChaosSummary;
  statuses: Record<string, number>;
  disruptions: DisruptionEvent[];
  quiescence: Quiescence;
  /** The participants that threw on an undo, and the dead letters that caused. */
  undoThrows: UndoThrowReport;
  violations: string[];
  bookings: BookingOutcomeRecord[];
}

/**
 * The chaos run: its own databases, vhost and app processes; the bookings sent while the
 * planned disruptions happen; then a bounded wait for every booking to end, and the checks.
 */
export async function runChaos(
  options: ChaosOptions,
  hooks: ChaosHooks = {},
): Promise<ChaosResult> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + options.durationLimitMs;
  const runId = `chaos_${startedAt.toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const logDir = resolve(options.reportDir, `${runId}-logs`);
  mkdirSync(logDir, { recursive: true });
  const phase = (message: string) => hooks.onPhase?.(message);
  const runtimeFaults = hooks.runtimeFaults ?? NO_RUNTIME_FAULTS;

  phase(`creating databases and vhost ${runId}`);
  const infrastructure = await ChaosInfrastructure.create(runId, options.postgresUrl, {
    host: options.amqpHost,
    port: options.amqpPort,
  });
  let apps: Awaited<ReturnType<typeof startChaosApps>> | undefined;
  try {
    const processes = chaosProcesses(options.instances).length;
    phase(`starting ${processes} app processes (logs in ${logDir})`);
    const freezeMs = options.freezeMs || 2 * options.stepTimeoutMs;
    apps = await startChaosApps(
      infrastructure,
      resolve('dist'),
      logDir,
      {
        STEP_TIMEOUT_MS: String(options.stepTimeoutMs),
        // A frozen process's transactions are closed by the server while it is frozen.
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: String(Math.max(500, Math.floor(freezeMs / 2))),
      },
      options.instances,
    );
    const runtimeRules = await runtimeFaults.install(apps.participants, options.seed);
    const undoThrows = new UndoThrowFault(planUndoThrows(options.undoThrows, options.seed));
    const undoRules = await undoThrows.install(apps.participants);
    const orchestrators: Orchestrator[] = apps.orchestrators.map((app) => ({
      name: app.name,
      client: new BookingClient(app.url, 15_000),
    }));
    const workload = buildChaosWorkload(options.bookings, options.faultRate, options.seed);
    const plan = planDisruptions(options.bookings, options, apps.all.length, options.seed);
    const monkey = new ChaosMonkey(
      plan,
      apps.all,
      outageMaker(options.outages, infrastructure.proxies),
      options.outageMs,
      hooks.onDisruption,
      new ProcessFreezer(infrastructure.databases.orchestrator, freezeMs),
    );

    phase(`sending ${options.bookings} bookings, ${plan.length} disruptions on the way`);
    // Poison first: every booking's messages and timers queue up behind it, and none may wait for it.
    const poisonTimers = await plantPoisonTimers(
      infrastructure.databases.orchestrator,
      options.poisonTimers,
    );
    const poison = planPoison(options.poison, options.seed);
    const hostile = planHostileReplyTo(options.hostileReplyTo, options.seed);
    const connectionsBefore = await participantConnections(infrastructure.vhost);
    const injector = await PoisonInjector.open(infrastructure.amqpUrl);
    const expectedDeadLetters = expectedHostileDeadLetters(hostile);
    try {
      for (const message of poison) {
        const messageId = await injector.inject(message);
        expectedDeadLetters.push({
          queue: `${message.queue}.dead-letter`,
          messageId,
          reason: message.kind,
        });
      }
      for (const message of hostile) await injector.inject(message);
    } finally {
      await injector.close();
    }
    // Before any disruption, so that a reconnect can only be the hostile commands' doing.
    const hostileViolations = await checkHostileReplyTo(hostile, {
      amqpUrl: infrastructure.amqpUrl,
      vhost: infrastructure.vhost,
      databases: infrastructure.databases,
      connectionsBefore,
      timeoutMs: 30_000,
    });
    let started = 0;
    let done = 0;
    let sending = true;
    const disrupting = monkey.run(
      () => started,
      () => !sending,
    );
    const records = await mapLimit(workload, options.concurrency, async (booking) => {
      started++;
      const record = await sendBooking(booking, orchestrators, runId, deadline);
      hooks.onBookingSent?.(record, ++done, workload.length);
      return record;
    });
    sending = false;
    await disrupting;
    await runtimeFaults.clear(apps.participants);
    await undoThrows.clear(apps.participants);

    phase('waiting for every booking to end');
    await settle(records, infrastructure.databases.orchestrator, deadline);
    phase('checking quiescence and invariants');
    const quiescence = await awaitQuiescence(
      infrastructure.databases,
      infrastructure.vhost,
      Math.max(5_000, Math.min(60_000, deadline - Date.now())),
    );
    const undone = await undoThrows.report(infrastructure.amqpUrl);
    const undoTypes = new Set(undone.rules.map((rule) => rule.match));
    const violations = [
      ...(await tripViolations(infrastructure.databases)),
      ...quiescenceViolations(quiescence, poison.length + hostile.length + undone.deadLetters),
      ...undone.violations,
      ...hostileViolations,
      ...(await deadLetterViolations(
        infrastructure.amqpUrl,
        Object.keys(quiescence.deadLetters),
        expectedDeadLetters,
        (letter) => undoTypes.has(letter.type ?? ''),
      )),
      ...(await duplicateSagas(
        records,
        infrastructure.databases.orchestrator,
        poisonTimers.length,
      )),
      ...(await unparkedPoisonTimers(
        infrastructure.databases.orchestrator,
        poisonTimers,
        Math.max(5_000, Math.min(60_000, deadline - Date.now())),
      )),
    ];
    const statuses: Record<string, number> = {};
    for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return {
      runId,
      options,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      summary: {
        bookings: records.length,
        processes: apps.all.length,
        faults: records.reduce((n, r) => n + r.faults.length, 0) + runtimeRules + undoRules,
        restarts: apps.all.reduce((n, a) => n + a.restarts, 0),
        outages: monkey.events.filter((e) => e.kind.endsWith('-outage')).length,
        pending: records.filter((r) => !TERMINAL_STATUSES.has(r.status)).length,
        violations: violations.length,
        poison: poison.length,
        freezes: monkey.events.filter((e) => e.kind === 'freeze').length,
        poisonTimers: poisonTimers.length,
        hostileReplyTo: hostile.length,
      },
      statuses,
      disruptions: monkey.events,
      quiescence,
      undoThrows: undone,
      violations,
      bookings: records,
    };
  } finally {
    phase('stopping the apps');
    await Promise.all((apps?.all ?? []).map((app) => app.stop()));
    await infrastructure.dispose(options.keep);
  }
}

/** Reads the bookings' statuses from the orchestrators' database until all ended or time is up. */
async function settle(records: BookingOutcomeRecord[], orchestratorDb: string, deadline: number) {
  const ids = records.flatMap((r) => (r.bookingId ? [r.bookingId] : []));
  for (;;) {
    const rows = await queryRows<{ id: string; status: string }>(
      orchestratorDb,
      `SELECT id::text AS id, status FROM saga_instances WHERE id::text = ANY($1::text[])`,
      [ids],
    );
    const status = new Map(rows.map((r) => [r.id, r.status]));
    for (const r of records) if (r.bookingId) r.status = status.get(r.bookingId) ?? 'UNKNOWN';
    const open = records.some((r) => r.bookingId && !TERMINAL_STATUSES.has(r.status));
    if (!open || Date.now() >= deadline) return;
    await sleep(1_000);
  }
}

function quiescenceViolations(q: Quiescence, expectedDeadLetters: number): string[] {
  const found: string[] = [];
  for (const [service, n] of Object.entries(q.unsentOutbox)) {
    if (n > 0) found.push(`${service}: ${n} outbox rows never sent`);
  }
  for (const [queue, depth] of Object.entries(q.busyQueues)) {
    found.push(`queue ${queue} not drained: ${depth.ready} ready, ${depth.unacked} unacked`);
  }
  if (q.deadLetterTotal !== expectedDeadLetters) {
    found.push(
      `${q.deadLetterTotal} dead letters, ${expectedDeadLetters} expected: ${JSON.stringify(q.deadLetters)}`,
    );
  }
  return found;
}

/** One saga per accepted booking: a POST retried with its key must not start a second one. */
async function duplicateSagas(
  records: BookingOutcomeRecord[],
  orchestratorDb: string,
  planted: number,
) {
  const [row] = await queryRows<{ n: string }>(
    orchestratorDb,
    `SELECT count(*) AS n FROM saga_instances`,
  );
  const accepted = records.filter((r) => r.bookingId).length;
  const sagas = Number(row.n) - planted;
  return sagas > accepted ? [`${sagas} sagas for ${accepted} accepted bookings`] : [];
}
