import { RetryableStepError } from '../errors/retryable-step.error';
import { TerminalStepError } from '../errors/terminal-step.error';

/**
 * Faults a saga may ask one of its steps to inject, for that saga only (a demo, a test, a
 * game day). They travel in the `x-saga-faults` header of the saga's messages, never in the
 * business payloads; the participant kit applies them.
 */
export const StepFault = {
  /** The participant refuses the step. */
  FAIL: 'fail',
  /** The participant does the work, but its answer never arrives. */
  TIMEOUT: 'timeout',
  /** The participant's undo keeps failing. */
  FAIL_COMPENSATION: 'fail-compensation',
} as const;
export type StepFault = (typeof StepFault)[keyof typeof StepFault];

export const STEP_FAULTS: readonly StepFault[] = Object.values(StepFault);

/** The codes an injected fault answers with. */
export const StepFaultCode = {
  INJECTED_FAILURE: 'INJECTED_FAILURE',
  INJECTED_COMPENSATION_FAILURE: 'INJECTED_COMPENSATION_FAILURE',
} as const;

/** The header the faults of a saga travel in: a JSON object, step name → fault. */
export const STEP_FAULTS_HEADER = 'x-saga-faults';

/** The saga label the faults are kept in, so every message of the saga carries them. */
export const STEP_FAULTS_LABEL = 'faults';

/** The saga labels that carry `faults`: none when no step has one. */
export function stepFaultsLabels(
  faults: Readonly<Record<string, StepFault | undefined>> | undefined,
): Record<string, string> {
  const set = Object.entries(faults ?? {}).filter(([, fault]) => fault !== undefined);
  return set.length === 0 ? {} : { [STEP_FAULTS_LABEL]: JSON.stringify(Object.fromEntries(set)) };
}

/** The message headers for a saga's labels: give it as `OrchestratorOptions.messageHeaders`. */
export function stepFaultsHeaders(saga: {
  labels: Readonly<Record<string, string>>;
}): Record<string, string> {
  const faults = saga.labels[STEP_FAULTS_LABEL];
  return faults ? { [STEP_FAULTS_HEADER]: faults } : {};
}

/** The fault a message asks `step` for; anything unreadable or unknown is none. */
export function stepFaultOf(
  headers: Readonly<Record<string, unknown>>,
  step: string,
): StepFault | null {
  const raw = headers[STEP_FAULTS_HEADER];
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  if (typeof text !== 'string') return null;
  let faults: unknown;
  try {
    faults = JSON.parse(text);
  } catch {
    return null;
  }
  const fault = (faults as Record<string, unknown> | null)?.[step];
  return STEP_FAULTS.includes(fault as StepFault) ? (fault as StepFault) : null;
}

/**
 * A step's work under its fault: `fail` refuses before any work, `timeout` does the work and
 * drops the answer (`silence`).
 */
export async function runStepWork<T>(
  step: string,
  fault: StepFault | null,
  silence: () => void,
  work: () => Promise<T>,
): Promise<T> {
  if (fault === StepFault.FAIL) {
    throw new TerminalStepError(StepFaultCode.INJECTED_FAILURE, `Injected failure of the ${step}`);
  }
  const result = await work();
  if (fault === StepFault.TIMEOUT) silence();
  return result;
}

/** A step's undo under its fault: `fail-compensation` fails it, retryably, doing nothing. */
export async function runStepUndo(
  step: string,
  fault: StepFault | null,
  work: () => Promise<void>,
): Promise<void> {
  if (fault === StepFault.FAIL_COMPENSATION) {
    throw new RetryableStepError(
      StepFaultCode.INJECTED_COMPENSATION_FAILURE,
      `Injected failure of the ${step} compensation`,
    );
  }
  await work();
}
