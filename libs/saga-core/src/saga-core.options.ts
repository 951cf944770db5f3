import { FaultHooks } from './model/fault-hooks';
import { SagaMachineFactory } from './model/saga-machine';
import { PersistedSpec } from './persistence/saga-store.port';
import { ChoreographyDefinition } from './choreography/choreography-definition';
import { RetryPolicy } from './definition/retry-policy';
import { SagaDefinition } from './definition/saga-definition';
import { UnregisteredVersions } from './engine/unregistered-definitions';
import type { MessageHeadersOf } from './engine/message-headers.machine';
import type { OutboxRelayOptions } from './messaging/outbox-relay';
import type { GroupCommitOptions } from './model/group-commit-options';
import type { SagaStorage } from './persistence/saga-storage';
import type { SagaTransport } from './transport/saga-transport';

export const SAGA_CORE_OPTIONS = Symbol('SAGA_CORE_OPTIONS');

/** The orchestrator half: which sagas this app runs and where their replies come back. */
export interface OrchestratorOptions {
  definitions: readonly (SagaDefinition<unknown> | ChoreographyDefinition<unknown>)[];
  /** Durable queue for replies, e.g. `orchestrator.replies`. */
  replyQueue: string;
  /** Durable queue the choreographed sagas' events are followed on; default `<serviceName>.events`. */
  eventQueue?: string;
  /**
   * How often due timers are looked for while passes find some; default 200 ms. A timer this
   * process writes wakes the runner by its time, so the poll is the backstop for timers written
   * by other processes (one that crashed, say).
   */
  timerPollIntervalMs?: number;
  /** After each pass that found no due timer, the next waits twice as long, up to this (2 s). */
  timerMaxPollIntervalMs?: number;
  /**
   * A timer whose firing throws is tried again this way, then parked for an operator.
   * Default: 5 tries, 1 s apart, doubling up to 30 s.
   */
  timerRetry?: RetryPolicy;
  /**
   * PENDING sagas pinned to a definition version not registered here: `refuse` to start (the
   * default), or `leave` them to an instance that registers it (their timers are not claimed
   * here, their replies and events are handed back to the queue).
   */
  unregisteredVersions?: UnregisteredVersions;
  /** HTTP reads: a pool of their own, and a cap on waits open at once (`waitUntilEnded`). */
  reads?: ReadOptions;
  /**
   * Headers every message of a saga carries (commands, events, undo requests), read off the
   * saga, e.g. `(saga) => stepFaultsHeaders(saga.labels)`; the participant kit passes the
   * `x-saga-` ones on with what it sends.
   */
  messageHeaders?: MessageHeadersOf;
}

export interface ReadOptions {
  /** Connections of the read pool. */
  poolSize: number;
  /** Past this many open waits, a new one fails with `ServiceBusyError` (a 503). */
  maxOpenWaits: number;
}

/** The participant half: the queue this app's `@CommandHandler`s consume. */
export interface ParticipantOptions {
  channel: string;
  prefetch?: number;
  /**
   * The queues this participant answers on (see `ReplyQueuePolicy`): exact names, declared at
   * start, or prefixes ending in `*`. A command whose `replyTo` is none of them is dead-lettered
   * as `untrusted-reply-to`. Default: the orchestrator's reply queue when this app is one,
   * else `saga.replies` (the engine's default).
   */
  replyQueues?: readonly string[];
}

/** The choreography half: the queue this app's `@EventHandler`s consume, bound per event type. */
export interface ChoreographyOptions {
  /** Default `${serviceName}.events`. */
  queue?: string;
  prefetch?: number;
}

/** What the retention job prunes, and how often it runs. */
export interface RetentionOptions {
  inboxRetentionMs: number;
  outboxRetentionMs: number;
  /** 0 turns the job off. */
  intervalMs: number;
}

export interface SagaCoreOptions {
  /** Names this app in the inbox and in AMQP connection names, e.g. `flight-service`. */
  serviceName: string;
  /**
   * Where sagas, timers, the inbox and the outbox are kept. Default `typeOrmStorage()`: the
   * app's TypeORM `DataSource` on PostgreSQL.
   */
  store?: SagaStorage;
  /** The broker. Default `rabbitMqTransport({ url: amqpUrl })`. */
  transport?: SagaTransport;
  /** RabbitMQ's URL, when `transport` is not given. */
  amqpUrl?: string;
  /**
   * Where fault injection plugs in: the named fault points of the engine, the store, the relay
   * and the consumers call it. None by default (`NO_FAULTS`).
   */
  faultHooks?: FaultHooks;
  /** The coordination styles the engine runs. Default: orchestration and choreography. */
  styles?: readonly SagaMachineFactory<PersistedSpec>[];
  /** Broker redeliveries before a message is dead-lettered. */
  deliveryLimit?: number;
  /** The outbox relay: polling, batches, and how a row the broker refuses is retried and parked. */
  relay?: Omit<OutboxRelayOptions, 'service'>;
  /** Default: inbox rows kept a day, sent outbox rows an hour, a pass every minute. */
  retention?: RetentionOptions;
  /**
   * Commands and events that arrive together are handled and written in one transaction
   * (`GroupCommit`), up to 32 by default. A handler whose work is more than its database writes
   * (a call to another system) holds the whole group while it waits: `{ maxMessages: 1 }`
   * writes each delivery on its own. The engine likewise writes the transitions of different
   * sagas decided while its last write was under way in one statement (`ClaimedWrites`), up to
   * as many.
   */
  groupCommit?: GroupCommitOptions;
  orchestrator?: OrchestratorOptions;
  participant?: ParticipantOptions;
  choreography?: ChoreographyOptions;
}
