import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from './app-process';
import { PlannedDisruption } from './chaos-plan';
import { OutageMaker } from './outage-maker';
import { ProcessFreezer } from './process-freezer';

/** A disruption as it happened. */
export interface DisruptionEvent {
  kind: PlannedDisruption['kind'];
  /** The app killed, or the server taken away. */
  target: string;
  startedAt: string;
  /** Until the app answered /health again, or the server was back. */
  endedAt: string;
  /** Bookings sent when it began. */
  afterBookings: number;
}

/**
 * Carries out the planned disruptions one at a time, each once enough bookings have been
 * sent: a kill is SIGKILL, a pause, and a restart that waits for /health; an outage takes the
 * broker or the database away from every app for `outageMs`.
 */
export class ChaosMonkey {
  readonly events: DisruptionEvent[] = [];

  constructor(
    private readonly plan: readonly PlannedDisruption[],
    private readonly apps: readonly AppProcess[],
    private readonly outages: OutageMaker,
    private readonly outageMs: number,
    private readonly onEvent: (event: DisruptionEvent) => void = () => undefined,
    private readonly freezer?: ProcessFreezer,
  ) {}

  /** Resolves once every disruption is over and every app is back. */
  async run(sent: () => number, stopped: () => boolean): Promise<void> {
    for (const disruption of this.plan) {
      while (sent() < disruption.afterBookings && !stopped()) await sleep(100);
      const startedAt = new Date().toISOString();
      const afterBookings = sent();
      const target = await this.disrupt(disruption);
      const event = { kind: disruption.kind, target, startedAt, afterBookings };
      const done = { ...event, endedAt: new Date().toISOString() };
      this.events.push(done);
      this.onEvent(done);
    }
  }

  private async disrupt(disruption: PlannedDisruption): Promise<string> {
    if (disruption.kind === 'freeze') {
      const app = this.apps[disruption.target % this.apps.length];
      return this.freezer ? this.freezer.freeze(app) : `${app.name} (no freezer)`;
    }
    if (disruption.kind === 'kill') {
      const app = this.apps[disruption.target % this.apps.length];
      await app.kill();
      await sleep(disruption.downMs);
      app.restarts++;
      await app.start();
      return app.name;
    }
    const server = disruption.kind === 'broker-outage' ? 'broker' : 'database';
    await this.outages.outage(server, this.outageMs);
    return server === 'broker' ? 'rabbitmq' : 'postgresql';
  }
}
