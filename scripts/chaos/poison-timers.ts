import { randomUUID } from 'node:crypto';
import { tripSteps } from '../support/trip-steps';
import { setTimeout as sleep } from 'node:timers/promises';
import { queryRows, withClient } from '../support/pg-query';

/**
 * What makes a planted timer impossible to fire: the saga's data, from which the next command
 * is built, is missing (`bad-data`), or the step it waits on does not exist (`bad-state`).
 * Both pin the saga to a version every orchestrator registers, so that a restarted one is not
 * refused (see `SAGA_UNREGISTERED_VERSIONS`).
 */
export const POISON_TIMER_KINDS = ['bad-data', 'bad-state'] as const;
export type PoisonTimerKind = (typeof POISON_TIMER_KINDS)[number];

export interface PlantedTimer {
  sagaId: string;
  kind: PoisonTimerKind;
}

/** Marks the planted sagas, which no booking asked for. */
export const POISON_TIMER_LABEL = { mode: 'orchestrated', chaos: 'poison-timer' };

/**
 * The poison timer fault: `count` PENDING trip sagas written straight into the orchestrators'
 * database, each with a timer due an hour ago, so that every timer of the run comes due
 * behind them. Each must end parked (tried, audited, counted, then kept for an operator) while
 * every booking's timers keep firing.
 */
export async function plantPoisonTimers(
  orchestratorDb: string,
  count: number,
): Promise<PlantedTimer[]> {
  const planted = Array.from({ length: count }, (_, i) => ({
    sagaId: randomUUID(),
    kind: POISON_TIMER_KINDS[i % POISON_TIMER_KINDS.length],
  }));
  const dueAt = new Date(Date.now() - 3_600_000);
  await withClient(orchestratorDb, async (client) => {
    for (const { sagaId, kind } of planted) {
      const awaiting =
        kind === 'bad-data'
          ? { kind: 'backoff', stepIndex: 0, phase: 'forward', attempt: 2, commandId: '' }
          : { kind: 'reply', stepIndex: 9, phase: 'forward', attempt: 1, commandId: '' };
      await client.query(
        `INSERT INTO saga_instances (id, definition_name, definition_version, status, data,
                                     awaiting, labels, version, created_at, updated_at, steps)
         VALUES ($1, 'trip-booking', 1, 'PENDING', $2::jsonb, $3::jsonb, $4::jsonb, 1, $5, $5,
                 $6::jsonb)`,
        [
          sagaId,
          kind === 'bad-data' ? '{}' : JSON.stringify({ bookingId: sagaId }),
          JSON.stringify(awaiting),
          JSON.stringify(POISON_TIMER_LABEL),
          dueAt,
          JSON.stringify(
            tripSteps().map(({ name }, i) => storedStep(name, i === 0 ? 'RUNNING' : 'PENDING')),
          ),
        ],
      );
      const key = `${awaiting.kind}:forward:${awaiting.stepIndex}:${awaiting.attempt}`;
      await client.query(`INSERT INTO saga_timers (saga_id, fire_at, key) VALUES ($1, $2, $3)`, [
        sagaId,
        dueAt,
        key,
      ]);
    }
  });
  return planted;
}

/**
 * Waits (up to `timeoutMs`) until every planted timer is parked with its TIMER_PARKED audit
 * line; returns one violation per planted timer that is not.
 */
export async function unparkedPoisonTimers(
  orchestratorDb: string,
  planted: readonly PlantedTimer[],
  timeoutMs: number,
): Promise<string[]> {
  if (planted.length === 0) return [];
  const ids = planted.map((p) => p.sagaId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const parked = new Set(
      (
        await queryRows<{ id: string }>(
          orchestratorDb,
          `SELECT t.saga_id::text AS id FROM saga_timers t
            WHERE t.saga_id::text = ANY($1::text[]) AND t.parked_at IS NOT NULL
              AND EXISTS (SELECT 1 FROM saga_audit_log a
                           WHERE a.saga_id = t.saga_id AND a.type = 'TIMER_PARKED')`,
          [ids],
        )
      ).map((row) => row.id),
    );
    const left = planted.filter((p) => !parked.has(p.sagaId));
    if (left.length === 0 || Date.now() >= deadline) {
      return left.map((p) => `poison timer of saga ${p.sagaId} (${p.kind}) is not parked`);
    }
    await sleep(1_000);
  }
}

/** A step as `saga_instances.steps` stores it, not yet answered. */
export function storedStep(name: string, status: 'RUNNING' | 'PENDING') {
  return {
    name,
    status,
    attempts: status === 'RUNNING' ? 1 : 0,
    compensationAttempts: 0,
    startedAt: null,
    endedAt: null,
    lastError: null,
    mayHaveTakenEffect: false,
  };
}
