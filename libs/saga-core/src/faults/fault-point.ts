/**
 * Named moments where a process may be told to die, to prove that a crash there loses
 * nothing: with `FAULT_POINT=<name>` in its environment, the process kills itself with
 * SIGKILL (no cleanup, no flush) the first time it reaches that point.
 */
export const FaultPoint = {
  /** A saga transition committed; its commands are in the outbox, not yet published. */
  AFTER_COMMIT_BEFORE_PUBLISH: 'after-commit-before-publish',
} as const;
export type FaultPoint = (typeof FaultPoint)[keyof typeof FaultPoint];

export function reachFaultPoint(point: FaultPoint): void {
  if (process.env.FAULT_POINT === point) process.kill(process.pid, 'SIGKILL');
}
