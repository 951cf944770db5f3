/**
 * Named moments where a process may be told to die, to prove that a crash there loses
 * nothing and does nothing twice. The engine and the adapters only name the moment through
 * `FaultHooks.reach`; what happens there is the app's choice (`NO_FAULTS` by default; the
 * demo apps register `envFaultHooks`, which kills the process when `FAULT_POINT` names it).
 */
export const FaultPoint = {
  /**
   * A transaction's work is done (state changed, inbox row claimed, outbox rows written) and
   * its commit was not reached: the database rolls it all back, and the message that caused
   * it is delivered again (or the timer fires again, or the client's request fails and is
   * retried under its Idempotency-Key). Reached only by transactions that changed something;
   * where the commit goes with the transaction's one statement (the engine's writes) or its
   * last (a participant step's inbox row and reply), just before that statement is sent.
   */
  BEFORE_COMMIT: 'before-commit',
  /**
   * A transaction committed and wrote messages to the outbox, not yet published: the relay
   * of the restarted process (or of another instance) publishes them from the table.
   */
  AFTER_COMMIT_BEFORE_PUBLISH: 'after-commit-before-publish',
  /**
   * The outbox relay published a batch and the broker confirmed it, but the rows are not yet
   * marked sent: they are published again after the restart, and the receivers' inboxes drop
   * the copies (same message ids).
   */
  AFTER_PUBLISH_BEFORE_MARK_SENT: 'after-publish-before-mark-sent',
  /**
   * A consumer's handler committed its effect (a participant's command or event, an
   * orchestrator's reply or event) and the delivery is not yet acked: the broker delivers it
   * again, and the inbox row committed with the effect makes the second delivery a no-op.
   */
  AFTER_COMMIT_BEFORE_ACK: 'after-commit-before-ack',
} as const;
export type FaultPoint = (typeof FaultPoint)[keyof typeof FaultPoint];

/** Token of the `FaultHooks` the engine, the store, the relay and the consumers call. */
export const FAULT_HOOKS = Symbol('FAULT_HOOKS');

/** Where fault injection plugs in; a no-op unless an app registers one. */
export interface FaultHooks {
  reach(point: FaultPoint): void;
}

/** The default: every fault point passes. */
export const NO_FAULTS: FaultHooks = { reach: () => undefined };
