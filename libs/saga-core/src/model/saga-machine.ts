import { EventMessage } from '../transport/event-message';
import { ReplyMessage } from '../transport/message-envelope';
import { AuditEntry } from './audit-entry';
import { AwaitedReply, SagaInstance, SagaTimer } from './saga-instance';
import { SagaTransition } from './saga-transition';

/** What a state machine needs from the outside world, injectable so tests are deterministic. */
export interface StateMachineEnvironment {
  now(): Date;
  newId(): string;
  random(): number;
  /** The durable queue participants reply to. */
  replyQueue: string;
  /** The app the machine runs in, named as the source of the messages it publishes. */
  source: string;
}

/** Who asked for an operator action, and why: both go to the audit log. */
export interface OperatorRequest {
  operator: string;
  reason: string;
}

export interface SagaStartInput<Data> {
  sagaId: string;
  data: Data;
  labels?: Record<string, string>;
  startKey?: string | null;
  startFingerprint?: string | null;
}

/** A reply, event or timer that no longer concerns the saga: recorded, never acted on. */
export interface IgnoredEvent {
  ignored: true;
  audit: AuditEntry[];
}

/** What a message does to a saga: a transition, an ignored message, or (null) nothing. */
export type MachineDecision<Data = unknown> = SagaTransition<Data> | IgnoredEvent | null;

/** The least a stored, versioned spec says about itself. */
export interface MachineSpec {
  name: string;
  version: number;
}

/** The messages a saga's machine sends and follows, so the engine can wire the broker. */
export interface MachineInputs {
  /** The queues it sends commands to (an orchestrated saga's participants). */
  commandChannels: readonly string[];
  /** The events it follows, by exchange and type (a choreographed saga's participants). */
  events: readonly { exchange: string; type: string }[];
}

/**
 * One coordination style's decisions, with no I/O: given a saga and what happened (its start,
 * a reply, an event, a timer, an operator's request), the transition to commit, or null when
 * it does not apply. The engine drives every style through this alone; a style that takes no
 * replies (or no events) leaves that method out, and such a message is poison for its sagas.
 */
export interface SagaMachine<Data = unknown, Spec extends MachineSpec = MachineSpec> {
  readonly spec: Spec;
  readonly inputs: MachineInputs;
  start(input: SagaStartInput<Data>): SagaTransition<Data>;
  onReply?(current: SagaInstance<Data>, reply: ReplyMessage): SagaTransition<Data> | IgnoredEvent;
  onEvent?(current: SagaInstance<Data>, event: EventMessage): SagaTransition<Data> | IgnoredEvent;
  onTimer(current: SagaInstance<Data>, timer: SagaTimer): SagaTransition<Data> | null;
  cancel(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null;
  retryCompensation(current: SagaInstance<Data>, by: OperatorRequest): SagaTransition<Data> | null;
}

/**
 * Makes the machine of one coordination style from a built definition it recognises. The
 * engine is given one per style (`SAGA_MACHINE_FACTORIES`) and knows none of them itself.
 */
export interface SagaMachineFactory<Spec extends MachineSpec = MachineSpec> {
  readonly style: string;
  accepts(definition: { spec: object }): boolean;
  create(definition: { spec: object }, env: StateMachineEnvironment): SagaMachine<unknown, Spec>;
}

/** Names what a timer is for; a timer whose key differs from the saga's is stale. */
export function timerKey(awaiting: AwaitedReply): string {
  return `${awaiting.kind}:${awaiting.phase}:${awaiting.stepIndex}:${awaiting.attempt}`;
}
