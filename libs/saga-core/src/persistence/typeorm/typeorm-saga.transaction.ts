import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { SagaInstance } from '../../model/saga-instance';
import { SagaTransition } from '../../model/saga-transition';
import { isTerminal } from '../../model/saga-status';
import { ConcurrentUpdateError } from '../../errors/concurrent-update.error';
import { OutboxRecord } from '../../messaging/outbox-store.port';
import {
  ClaimedSaga,
  claimedIds,
  DueTimer,
  MessageClaim,
  SagaTransaction,
  TimerClaim,
} from '../saga-store.port';
import {
  auditColumns,
  awaitingColumn,
  SAGA_COLUMNS,
  SagaRow,
  stepsColumn,
  TimerRow,
  toInstance,
  toTimer,
} from './saga-row.mapper';
import {
  CLAIM_AND_LOCK,
  INSERT_SAGA,
  LOCK,
  UPDATE_SAGA,
  UPDATE_SAGA_CLAIMING,
} from './saga-statements';
import { CLAIM_DUE_TIMERS } from './saga-timer-statements';
import { outboxColumns, toOutboxRecords } from './typeorm-messaging';

interface Statement {
  name?: string;
  text: string;
}

type LockedRow = SagaRow & { claimed: number };

/**
 * A SagaTransaction on one pooled connection inside an open READ COMMITTED transaction
 * (PostgreSQL's default level). Each method is one round trip; the hot ones are named
 * statements, parsed and planned once per connection.
 */
export class TypeOrmSagaTransaction implements SagaTransaction {
  /** Whether a saga, its audit or a timer was written: what a crash before commit would lose. */
  wrote = false;
  readonly enqueued: OutboxRecord[] = [];

  /** A client in an open transaction; or the pool itself, for statements that stand alone. */
  constructor(private readonly client: PoolClient | Pool) {}

  async claimMessage(consumer: string, messageId: string): Promise<boolean> {
    const { rowCount } = await this.client.query(
      `INSERT INTO saga_inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [consumer, messageId],
    );
    return rowCount === 1;
  }

  async claimAndLock(consumer: string, messageId: string, sagaId: string): Promise<ClaimedSaga> {
    const { rows } = await this.run<LockedRow>(CLAIM_AND_LOCK, [consumer, messageId, sagaId]);
    // No saga: whether the message was new or not, there is nothing to change.
    if (rows.length === 0) return { claimed: true, instance: null };
    if (rows[0].claimed === 0) return { claimed: false, instance: null };
    return { claimed: true, instance: toInstance(rows[0]) };
  }

  async lock(sagaId: string): Promise<SagaInstance | null> {
    const { rows } = await this.run<LockedRow>(LOCK, [sagaId]);
    return rows.length === 0 ? null : toInstance(rows[0]);
  }

  async insert(transition: SagaTransition): Promise<SagaInstance | null> {
    const saga = transition.instance;
    const timer = transition.timer ?? null;
    // A concurrent insert of the same start key makes this wait for the other transaction,
    // then do nothing: the key decides, not a prior read.
    const { rows } = await this.run<{ changed: number; outbox_ids: string[] }>(INSERT_SAGA, [
      saga.id,
      saga.definitionName,
      saga.definitionVersion,
      saga.status,
      saga.compensating,
      JSON.stringify(saga.data ?? null),
      awaitingColumn(saga.awaiting),
      saga.failureReason,
      JSON.stringify(saga.labels ?? {}),
      saga.startKey,
      saga.startFingerprint,
      saga.version,
      saga.createdAt,
      saga.updatedAt,
      stepsColumn(saga.steps),
      ...auditColumns(transition.audit),
      ...outboxColumns(transition.messages),
      timer?.fireAt ?? null,
      timer?.key ?? null,
    ]);
    if (rows[0].changed === 0) {
      // A new statement sees what the winning transaction committed.
      const existing = await this.read(`i.start_key = $1`, [saga.startKey]);
      if (!existing) throw new Error(`saga with start key ${saga.startKey} vanished`);
      return existing;
    }
    this.wrote = true;
    this.enqueued.push(...toOutboxRecords(rowsOf(rows[0].outbox_ids), transition.messages));
    return null;
  }

  async update(transition: SagaTransition, expectedVersion: number): Promise<void> {
    if (!(await this.write(UPDATE_SAGA, transition, expectedVersion, []))) {
      const id = transition.instance.id;
      throw new ConcurrentUpdateError(`saga ${id} is no longer at version ${expectedVersion}`);
    }
  }

  /**
   * `update` and the inbox claim of the message that caused it, in one statement that writes
   * nothing unless the saga is still at `expectedVersion` and the message was not claimed.
   */
  updateClaiming(
    transition: SagaTransition,
    expectedVersion: number,
    claim: MessageClaim,
  ): Promise<boolean> {
    const extra = [claim.consumer, claimedIds(claim)];
    return this.write(UPDATE_SAGA_CLAIMING, transition, expectedVersion, extra);
  }

  private async write(
    statement: Statement,
    transition: SagaTransition,
    expectedVersion: number,
    extra: unknown[],
  ): Promise<boolean> {
    const saga = transition.instance;
    const timer = transition.timer ?? null;
    const { rows } = await this.run<{ changed: number; outbox_ids: string[] }>(statement, [
      saga.id,
      expectedVersion,
      saga.status,
      saga.compensating,
      JSON.stringify(saga.data ?? null),
      awaitingColumn(saga.awaiting),
      saga.failureReason,
      saga.version,
      saga.updatedAt,
      stepsColumn(saga.steps),
      ...auditColumns(transition.audit),
      ...outboxColumns(transition.messages),
      timer?.fireAt ?? null,
      timer?.key ?? null,
      transition.timer === null,
      isTerminal(saga.status),
      ...extra,
    ]);
    if (rows[0].changed !== 1) return false;
    this.wrote = true;
    this.enqueued.push(...toOutboxRecords(rowsOf(rows[0].outbox_ids), transition.messages));
    return true;
  }

  /** See CLAIM_DUE_TIMERS. A skipped timer is claimed on a later pass, if it is still due. */
  async claimDueTimers(now: Date, limit: number, claim: TimerClaim = {}): Promise<DueTimer[]> {
    const definitions = claim.definitions ?? null;
    const claimed = await this.run<TimerRow>(CLAIM_DUE_TIMERS, [
      now,
      limit,
      claim.skip ?? [],
      definitions && definitions.map((d) => d.name),
      definitions && definitions.map((d) => d.version),
    ]);
    return claimed.rows.map(toTimer).sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
  }

  private async read(where: string, params: unknown[]): Promise<SagaInstance | null> {
    const { rows } = await this.client.query<SagaRow>(
      `SELECT ${SAGA_COLUMNS} FROM saga_instances i WHERE ${where}`,
      params,
    );
    return rows.length === 0 ? null : toInstance(rows[0]);
  }

  private run<R extends QueryResultRow>(statement: Statement, values: unknown[]) {
    return this.client.query<R>({ ...statement, values });
  }
}

function rowsOf(ids: readonly string[]): { id: string }[] {
  return ids.map((id) => ({ id }));
}
