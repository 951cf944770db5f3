import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChaosResult, runChaos } from '../../scripts/chaos/chaos';
import { defaultChaosOptions } from '../../scripts/chaos/chaos.options';
import { summaryLine } from '../../scripts/chaos/chaos-report';
import { ALL_APPS } from '../support/trip-system';

const ORCHESTRATOR_MAIN = path.join(__dirname, '../../dist/apps/orchestrator/src/main.js');

/**
 * `npm run chaos` at a small size: the built apps as processes of their own, two orchestrators,
 * SIGKILLs and proxy outages of RabbitMQ and PostgreSQL while bookings in both modes carry
 * faults, poison messages and commands with a hostile replyTo on the work queues, and a
 * participant that throws on an undo. Every booking must end, consistently, and nothing but
 * the poison, the hostile commands and the undos that participant let reach their delivery
 * limit may be left over.
 */
describe('the chaos run, small', () => {
  let reportDir: string;
  let result: ChaosResult;

  beforeAll(async () => {
    if (!existsSync(ORCHESTRATOR_MAIN)) {
      throw new Error(`${ORCHESTRATOR_MAIN} is missing: run npm run build`);
    }
    reportDir = await mkdtemp(path.join(os.tmpdir(), 'chaos-'));
    result = await runChaos({
      ...defaultChaosOptions(30, {}),
      seed: 3,
      concurrency: 6,
      kills: 2,
      brokerOutages: 1,
      databaseOutages: 1,
      outageMs: 2_000,
      stepTimeoutMs: 2_000,
      durationLimitMs: 170_000,
      reportDir,
    });
  }, 180_000);

  afterAll(async () => {
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it('ends every booking, with no invariant broken and nothing left in flight', () => {
    expect(result.violations).toEqual([]);
    expect(result.summary).toMatchObject({ bookings: 30, pending: 0, violations: 0 });
    expect(result.bookings.every((b) => b.bookingId !== null)).toBe(true);
  });

  it('really disrupted the run: two kills and restarts, two outages, a freeze, injected faults', () => {
    expect(result.disruptions.map((d) => d.kind).sort()).toEqual([
      'broker-outage',
      'database-outage',
      'freeze',
      'kill',
      'kill',
    ]);
    expect(result.summary.restarts).toBe(2);
    expect(result.summary.faults).toBeGreaterThan(0);
    expect(new Set(result.bookings.map((b) => b.mode))).toEqual(
      new Set(['orchestrated', 'choreographed']),
    );
    expect(new Set(result.bookings.map((b) => b.acceptedBy)).size).toBe(2);
  });

  it('parks every poison timer planted in the database', () => {
    expect(result.summary.poisonTimers).toBe(2);
    expect(result.violations.filter((v) => v.startsWith('poison timer'))).toEqual([]);
  });

  it('leaves the outboxes sent, the work queues drained and exactly the poison and the thrown undos dead-lettered', () => {
    // Every app's outbox: the orchestrator's and each participant's.
    expect(Object.values(result.quiescence.unsentOutbox)).toEqual(ALL_APPS.map(() => 0));
    expect(result.quiescence.busyQueues).toEqual({});
    expect(result.summary.poison).toBe(3);
    expect(result.undoThrows.rules.length).toBeGreaterThan(0);
    expect(result.summary.hostileReplyTo).toBe(3);
    // Each with its reason: the run checks that (violations above) and counts them here.
    expect(result.quiescence.deadLetterTotal).toBe(6 + result.undoThrows.deadLetters);
  });

  it('sums itself up in one line', () => {
    expect(summaryLine(result.summary)).toMatch(
      /^chaos: bookings=30 processes=6 faults=\d+ poison=3 hostile=3 restarts=2 outages=2 freezes=1 poison-timers=2 pending=0 violations=0$/,
    );
  });
});
