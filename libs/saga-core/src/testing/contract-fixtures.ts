import { randomUUID } from 'node:crypto';
import { AuditEntry } from '../model/audit-entry';
import { SagaInstance, SagaTimer, StepState } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { StepStatus } from '../model/step-status';
import { OutgoingMessage } from '../transport/message-envelope';

/** Fixed instants, to the millisecond (PostgreSQL keeps microseconds; both round-trip these). */
export const at = (offsetMs: number): Date => new Date(Date.UTC(2025, 0, 1) + offsetMs);

/** A step's state: started at `at(1)` unless still pending. */
export function stepState(name: string, status: StepStatus = StepStatus.PENDING): StepState {
  const running = status !== StepStatus.PENDING;
  return {
    name,
    status,
    attempts: running ? 1 : 0,
    compensationAttempts: 0,
    startedAt: running ? at(1) : null,
    endedAt: null,
    lastError: null,
    mayHaveTakenEffect: false,
  };
}

/** A running saga of a two-step definition, at version 1, waiting for its first reply. */
export function contractSaga(overrides: Partial<SagaInstance> = {}): SagaInstance {
  return {
    id: randomUUID(),
    definitionName: 'contract-saga',
    definitionVersion: 1,
    status: SagaStatus.PENDING,
    compensating: false,
    data: { customerId: 'cust-1', items: [{ sku: 'A', n: 2 }] },
    steps: [stepState('first', StepStatus.RUNNING), stepState('second')],
    awaiting: [
      {
        kind: 'reply',
        stepIndex: 0,
        phase: 'forward',
        attempt: 1,
        commandId: randomUUID(),
      },
    ],
    failureReason: null,
    labels: { mode: 'orchestrated' },
    startKey: null,
    startFingerprint: null,
    version: 1,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

/** The saga moved on by one transition: version up, its data and first step changed. */
export function movedOn(saga: SagaInstance, data: Record<string, unknown>): SagaInstance {
  const [first, ...rest] = saga.steps;
  return {
    ...saga,
    data,
    version: saga.version + 1,
    updatedAt: at(saga.version * 1_000),
    steps: [{ ...first, status: StepStatus.COMPLETED, endedAt: at(500) }, ...rest],
  };
}

export function contractAudit(sagaId: string, type: string, offsetMs: number): AuditEntry {
  return { sagaId, at: at(offsetMs), type, step: null, detail: { n: offsetMs } };
}

export function contractMessage(): OutgoingMessage {
  const messageId = randomUUID();
  return {
    messageId,
    exchange: '',
    routingKey: 'contract.commands',
    type: 'c.do',
    body: { messageId },
  };
}

export function contractTimer(
  saga: SagaInstance,
  fireAt: Date,
  key = 'first:forward:1',
): SagaTimer {
  return { sagaId: saga.id, fireAt, key };
}

export function transitionOf(
  instance: SagaInstance,
  extra: Partial<SagaTransition> = {},
): SagaTransition {
  return { instance, audit: [], messages: [], timer: undefined, ...extra };
}

/** How many of `results` settled which way. */
export function outcomes<T>(results: PromiseSettledResult<T>[]) {
  const fulfilled = results.filter((r): r is PromiseFulfilledResult<T> => r.status === 'fulfilled');
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  return { fulfilled: fulfilled.map((r) => r.value), rejected: rejected.map((r) => r.reason) };
}
