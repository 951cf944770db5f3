import { ChoreographyDefinition } from './choreography/choreography-definition';
import { SagaDefinition } from './definition/saga-definition';

export const SAGA_CORE_OPTIONS = Symbol('SAGA_CORE_OPTIONS');

/** The orchestrator half: which sagas this app runs and where their replies come back. */
export interface OrchestratorOptions {
  definitions: readonly (SagaDefinition<unknown> | ChoreographyDefinition<unknown>)[];
  /** Durable queue for replies, e.g. `orchestrator.replies`. */
  replyQueue: string;
  /** Durable queue the choreographed sagas' events are followed on; default `<serviceName>.events`. */
  eventQueue?: string;
  /** How often due timers are looked for, as a backstop to the in-process wake-up. */
  timerPollIntervalMs?: number;
}

/** The participant half: the queue this app's `@CommandHandler`s consume. */
export interface ParticipantOptions {
  channel: string;
  prefetch?: number;
}

/** The choreography half: the queue this app's `@EventHandler`s consume, bound per event type. */
export interface ChoreographyOptions {
  /** Default `${serviceName}.events`. */
  queue?: string;
  prefetch?: number;
}

export interface SagaCoreOptions {
  /** Names this app in the inbox and in AMQP connection names, e.g. `flight-service`. */
  serviceName: string;
  amqpUrl: string;
  /** Broker redeliveries before a message is dead-lettered. */
  deliveryLimit?: number;
  relay?: { pollIntervalMs?: number; batchSize?: number };
  orchestrator?: OrchestratorOptions;
  participant?: ParticipantOptions;
  choreography?: ChoreographyOptions;
}
