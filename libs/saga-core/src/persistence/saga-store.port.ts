import { ChoreographySpec } from '../definition/choreography-spec';
import { SagaSpec } from '../definition/saga-spec';
import { AuditEntry } from '../model/audit-entry';
import { SagaInstance, SagaTimer } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { OutboxRecord } from '../messaging/outbox-store.port';

export const SAGA_STORE = Symbol('SAGA_STORE');

/** A definition's serialisable spec, of either coordination style. */
export type PersistedSpec = SagaSpec | ChoreographySpec;

/** A persisted definition, as listed by `GET /saga-definitions`. */
export interface StoredDefinition {
  spec: PersistedSpec;
  createdAt: Date;
}

/** Which sagas a list or a count covers; every field narrows it. */
export interface SagaFilter {
  status?: SagaStatus;
  /** Sagas of this definition, whatever their version. */
  definitionName?: string;
  labels?: Record<string, string>;
  /** JSON containment on the saga's data: `{ customerId: 'c-1' }` matches data that has it. */
  dataContains?: Record<string, unknown>;
  /** The one saga with this id (a UUID), if it matches the rest. */
  id?: string;
  /** Sagas created at or after this time. */
  createdFrom?: Date;
  /** Sagas created before this time. */
  createdBefore?: Date;
  /** Only sagas whose last change is older than this (stuck ones). */
  updatedBefore?: Date;
  /** Only sagas whose timer is parked (it failed every try). */
  timerParked?: boolean;
}

/** Where a page of a list ended: the next page starts after this saga (newest first). */
export interface SagaCursor {
  createdAt: Date;
  id: string;
}

export interface SagaQuery extends SagaFilter {
  limit: number;
  /** Keyset paging on (created_at, id): only sagas listed after this one. */
  after?: SagaCursor;
}

/** A committed transition as the change notifications carry it. */
export interface SagaChange {
  sagaId: string;
  status: SagaStatus;
}

/** A definition by name and version, as a saga is pinned to it. */
export interface DefinitionRef {
  name: string;
  version: number;
}

/** A definition that running sagas are pinned to, and how many. */
export interface PendingDefinition extends DefinitionRef {
  sagas: number;
}

/** A due timer as claimed: its tries that already failed, and its saga's definition. */
export interface DueTimer extends SagaTimer {
  attempts: number;
  definition: DefinitionRef;
}

/** Which due timers a claim may take. */
export interface TimerClaim {
  /** Sagas this pass tried already: their timers wait for the next pass. */
  skip?: readonly string[];
  /** Only the timers of sagas pinned to these definitions; any saga's when absent. */
  definitions?: readonly DefinitionRef[];
}

/** A timer whose firing threw, as it is written back: tried again later, or parked. */
export interface TimerFailure {
  /** The timer as it was claimed; nothing is written if it changed since. */
  timer: DueTimer;
  error: string;
  /** When it is tried again; null parks it (kept, never claimed) until an operator acts. */
  retryAt: Date | null;
  audit: AuditEntry[];
}

/** A timer that failed every try, kept for an operator. */
export interface ParkedTimer {
  sagaId: string;
  key: string;
  attempts: number;
  lastError: string | null;
  parkedAt: Date;
}

/** A message claimed for a consumer and its saga locked, in one step. */
export interface ClaimedSaga {
  /** False when the consumer had already handled the message: change nothing. */
  claimed: boolean;
  /** The saga, locked; null when there is none (or the message was not claimed). */
  instance: SagaInstance | null;
}

/** What one transaction can do; everything done through it commits or rolls back together. */
export interface SagaTransaction {
  /** The outbox rows written so far, to publish once the transaction has committed. */
  readonly enqueued: readonly OutboxRecord[];

  /**
   * Records that `consumer` handled `messageId`. Returns false when it already had: the
   * caller then does nothing, so a redelivered message changes nothing.
   */
  claimMessage(consumer: string, messageId: string): Promise<boolean>;

  /**
   * Inserts a new saga unless one with the same start key exists; returns the existing one
   * (committed by another transaction) in that case, and null when this one was inserted.
   */
  insert(transition: SagaTransition): Promise<SagaInstance | null>;

  /** `claimMessage` then `lock`, in one round trip where the adapter can. */
  claimAndLock(consumer: string, messageId: string, sagaId: string): Promise<ClaimedSaga>;

  /** Reads a saga and locks its row until the transaction ends. */
  lock(sagaId: string): Promise<SagaInstance | null>;

  /**
   * Stores a transition of a saga read in this transaction: compare-and-set on
   * `version` (throws ConcurrentUpdateError on a mismatch), then its steps, audit, outbox
   * and timer.
   */
  update(transition: SagaTransition, expectedVersion: number): Promise<void>;

  /**
   * Takes up to `limit` due timers that are not parked, skipping those another instance holds;
   * deletes them (a rollback puts them back).
   */
  claimDueTimers(now: Date, limit: number, claim?: TimerClaim): Promise<DueTimer[]>;
}

/** A message to record in the inbox together with the transition it caused. */
export interface MessageClaim {
  consumer: string;
  messageId: string;
  /**
   * Messages of the same saga and consumer decided before `messageId` in the same transition
   * (`SagaWriter` lingers on a decision that sends nothing, for the saga's next message): all
   * of them are claimed with it, or none, and none is written if any was claimed already.
   */
  alsoClaims?: readonly string[];
}

/** Every message id a claim records: the earlier ones it carries, then its own. */
export function claimedIds(claim: MessageClaim): string[] {
  return [...(claim.alsoClaims ?? []), claim.messageId];
}

/** One transition for `applyClaimedMany`: what `applyClaimed` takes. */
export interface ClaimedWrite {
  transition: SagaTransition;
  expectedVersion: number;
  claim: MessageClaim;
}

/** What a write that stands alone (no transaction around it) committed. */
export interface StandaloneWrite {
  /** The saga already existing under the start key (insert), or null. */
  existing?: SagaInstance | null;
  /** False when nothing was written (the saga moved on, or the message was claimed). */
  applied: boolean;
  enqueued: readonly OutboxRecord[];
}

/** The persistence port of the engine. The TypeORM adapter lives in `typeorm/`. */
export interface SagaStore {
  /** Stores a definition by name and version; an identical one already stored is kept. */
  saveDefinition(spec: PersistedSpec): Promise<void>;
  listDefinitions(): Promise<StoredDefinition[]>;
  transaction<T>(work: (tx: SagaTransaction) => Promise<T>): Promise<T>;
  /** `SagaTransaction.insert`, committed on its own: one round trip where the adapter can. */
  insert(transition: SagaTransition): Promise<StandaloneWrite>;
  /**
   * Applies a transition decided on a copy of the saga at `expectedVersion` read earlier,
   * and claims the message that caused it, committed on its own and without a lock: one
   * round trip where the adapter can. Writes nothing (`applied: false`) when the saga is no
   * longer at that version or the message was claimed already; the caller then decides
   * again, in a transaction, on the saga as it is.
   */
  applyClaimed(
    transition: SagaTransition,
    expectedVersion: number,
    claim: MessageClaim,
  ): Promise<StandaloneWrite>;
  /**
   * `applyClaimed` for transitions of different sagas, committed together on their own: one
   * round trip and one commit where the adapter can. Each is written or not exactly as
   * `applyClaimed` would write it, whatever happens to the others; the results are in the
   * order given. A store without it gets each written by `applyClaimed`.
   */
  applyClaimedMany?(writes: readonly ClaimedWrite[]): Promise<StandaloneWrite[]>;
  find(sagaId: string): Promise<SagaInstance | null>;
  /** Newest first: by `created_at`, then `id`, both descending. */
  list(query: SagaQuery): Promise<SagaInstance[]>;
  /** How many sagas the filter covers, by status (every status present, 0 where none). */
  countByStatus(filter: Omit<SagaFilter, 'status'>): Promise<Record<SagaStatus, number>>;
  auditLog(sagaId: string): Promise<AuditEntry[]>;
  /** Calls `listener` with the id of every saga that ends, whichever process ended it. */
  watchEnded(listener: (sagaId: string) => void): Promise<{ close(): Promise<void> }>;
  /**
   * Writes a timer's failed try and its audit lines in one statement, on its own: the timer
   * is due again at `retryAt`, or parked. False (nothing written) when the timer changed since
   * it was claimed.
   */
  recordTimerFailure(failure: TimerFailure): Promise<boolean>;
  /** Makes a parked timer due at `fireAt` with no failed tries, with its audit lines. */
  retryParkedTimer(sagaId: string, fireAt: Date, audit: AuditEntry[]): Promise<boolean>;
  parkedTimers(sagaIds: readonly string[]): Promise<ParkedTimer[]>;
  /** The definitions that PENDING sagas are pinned to. */
  pendingDefinitions(): Promise<PendingDefinition[]>;
  /** Releases what the store opened itself (not the DataSource it was given). */
  close(): Promise<void>;
  /**
   * Tells every process that watches changes that these transitions committed. Best effort
   * and after the commit: a watcher that misses one reads the saga again on its next change.
   */
  announceChanges(changes: readonly SagaChange[]): Promise<void>;
  /** Calls `listener` for every change announced on the database, by any process. */
  watchChanges(listener: (change: SagaChange) => void): Promise<{ close(): Promise<void> }>;
}
