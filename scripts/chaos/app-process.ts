import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export type Env = Record<string, string | undefined>;

/** How long a start may take, respawns after an early exit included. */
const START_TIMEOUT_MS = 90_000;

/**
 * One built app (`dist/apps/<app>/src/main.js`) as a child process of its own, so that it can
 * be killed with SIGKILL as a crash would kill it, and started again with the same environment.
 * Its standard output and error go to `logFile`.
 */
export class AppProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Set by stop(): a start still retrying gives up instead of spawning again. */
  private stopped = false;
  /** Starts after the first, whatever caused them. */
  restarts = 0;

  constructor(
    readonly name: string,
    private readonly mainPath: string,
    readonly port: number,
    private readonly env: Env,
    private readonly logFile: string,
    /** The app's service name: with its pid, the `application_name` of its database sessions. */
    readonly serviceName = name,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** SIGSTOP, SIGCONT and the like, to the running process (none if it is not running). */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /**
   * Spawns the app and resolves once `/health` answers 200. An app that exits while starting
   * (its database unreachable, say) is spawned again, as a supervisor would.
   */
  async start(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    this.stopped = false;
    while (Date.now() < deadline && !this.stopped) {
      this.spawn();
      if (await this.healthyBefore(deadline)) return;
      await this.kill();
      await sleep(500);
    }
    throw new Error(
      `${this.name} did not become healthy within ${START_TIMEOUT_MS} ms, or was stopped`,
    );
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL if it does not leave within 10 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    // The timer is cancelled once the app has left, so that it does not hold the caller open.
    const timer = new AbortController();
    const left = await Promise.race([
      this.exited.then(() => true),
      sleep(10_000, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!left) await this.kill();
  }

  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  private spawn(): void {
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [this.mainPath], {
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = null;
        resolve();
      }),
    );
  }

  private async healthyBefore(deadline: number): Promise<boolean> {
    while (Date.now() < deadline && this.child) {
      if (await this.healthy()) return true;
      await sleep(250);
    }
    return false;
  }
}
