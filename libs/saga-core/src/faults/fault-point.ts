import { FaultHooks, FaultPoint } from '../model/fault-hooks';

/**
 * Named moments where a process may be told to die, to prove that a crash there loses
 * nothing and does nothing twice: with `FAULT_POINT=<name>` in its environment, the process
 * kills itself with SIGKILL (no cleanup, no flush) the first time it reaches that point. The
 * variable is per process, so it picks the app: set it on the orchestrator or on one
 * participant. Each point says what must save the day after the restart.
 */
export function reachFaultPoint(point: FaultPoint): void {
  if (process.env.FAULT_POINT === point) crashProcess();
}

/** The demo apps' fault hooks: `FAULT_POINT=<name>` kills the process at that point. */
export const envFaultHooks: FaultHooks = { reach: reachFaultPoint };

/** Dies at once, as `kill -9` would: no shutdown hook runs, nothing is flushed or acked. */
export function crashProcess(): void {
  process.kill(process.pid, 'SIGKILL');
}
