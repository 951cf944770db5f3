import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../../scripts/support/free-port';
import { join } from 'node:path';
import { appDir } from '../../scripts/support/trip-endpoints';
import { AppName, TripSystem } from './trip-system';
import { waitFor } from './wait-for';

/** Lines of the child's output kept to explain a failure. */
const OUTPUT_TAIL = 60;

/**
 * One built app (`npm run build`) as a real process on the system's database and vhost, so a
 * test can SIGKILL it (or let a fault point do so) without touching the jest process.
 */
export class AppProcess {
  private readonly output: string[] = [];
  /** The signal that ended the process, or null when it exited by itself. */
  readonly exited: Promise<NodeJS.Signals | null>;
  private ended = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.on('exit', (_code, signal) => {
        this.ended = true;
        resolve(signal);
      }),
    );
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - OUTPUT_TAIL));
    };
    // Read both streams, or a full pipe would block the child.
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts the app and waits until `/health` answers 200. */
  static async start(
    system: TripSystem,
    name: AppName,
    env: Record<string, string> = {},
    port?: number,
  ): Promise<AppProcess> {
    const main = join(__dirname, `../../dist/apps/${appDir(name)}/src/main.js`);
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
    const listen = port ?? (await freePort());
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ...system.env(name), PORT: String(listen), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(child, listen);
    const healthy = waitFor(async () => ((await fetch(app.url('/health'))).ok ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `${name} to start`,
    });
    const died = app.exited.then((signal) => {
      throw new Error(`${name} ended (${signal ?? 'exit'}) while starting:\n${app.log()}`);
    });
    await Promise.race([healthy, died]).catch((error: unknown) => {
      app.kill();
      throw error;
    });
    died.catch(() => undefined);
    return app;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  log(): string {
    return this.output.join('\n');
  }

  /** A clean stop (SIGTERM); resolves once the process is gone. */
  async stop(): Promise<void> {
    if (!this.ended) this.child.kill('SIGTERM');
    await this.exited;
  }

  kill(): void {
    if (!this.ended) this.child.kill('SIGKILL');
  }

  /** The process id: with the service name, its sessions' `application_name` in PostgreSQL. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Sends a signal, SIGSTOP and SIGCONT among them (a frozen process, then thawed). */
  signal(signal: NodeJS.Signals): void {
    if (!this.ended) this.child.kill(signal);
  }
}
