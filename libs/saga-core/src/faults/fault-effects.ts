import { InjectedFaultError } from '../errors/injected-fault.error';
import { RetryableStepError } from '../errors/retryable-step.error';
import { TerminalStepError } from '../errors/terminal-step.error';
import { FaultAction } from './fault-action';
import { FaultRule } from './fault-rule';
import { crashProcess } from './fault-point';

/** The codes of the step errors `fail` and `refuse` rules answer with. */
export const InjectedFaultCode = {
  FAIL: 'INJECTED_TRANSIENT_FAILURE',
  REFUSE: 'INJECTED_REFUSAL',
} as const;

/**
 * What a fired rule does before the message's transaction opens: `delay` waits (holding no
 * database connection), `throw` fails the delivery so the broker brings the message back.
 */
export async function applyBeforeHandling(rule: FaultRule | null, type: string): Promise<void> {
  if (rule?.action === FaultAction.DELAY && rule.delayMs) {
    await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 0));
  } else if (rule?.action === FaultAction.THROW) {
    throw new InjectedFaultError(`fault rule ${rule.id} threw while handling ${type}`);
  }
}

/**
 * The error a `fail` (retryable: an infrastructure failure) or `refuse` (terminal: a business
 * refusal) rule answers with in place of the handler's work; null for any other rule.
 */
export function injectedStepError(
  rule: FaultRule | null,
  type: string,
): RetryableStepError | TerminalStepError | null {
  if (rule?.action === FaultAction.FAIL) {
    return new RetryableStepError(
      InjectedFaultCode.FAIL,
      `fault rule ${rule.id}: transient failure of ${type}`,
    );
  }
  if (rule?.action === FaultAction.REFUSE) {
    return new TerminalStepError(
      InjectedFaultCode.REFUSE,
      `fault rule ${rule.id}: ${type} refused`,
    );
  }
  return null;
}

/** Whether the work commits but its reply or events are dropped. */
export function dropsReply(rule: FaultRule | null): boolean {
  return rule?.action === FaultAction.DROP_REPLY;
}

/** Once the work committed and before the ack: a `crash` rule kills the process here. */
export function applyAfterCommit(rule: FaultRule | null): void {
  if (rule?.action === FaultAction.CRASH) crashProcess();
}
