import { join } from 'node:path';
import { tripParticipantProfiles } from '@app/trip-api';
import { freePort } from '../support/free-port';
import { AppProcess, Env } from './app-process';
import { ChaosInfrastructure, ServiceName } from './chaos-infrastructure';

interface ProcessPlan {
  name: string;
  service: ServiceName;
  app: string;
}

/**
 * The run's processes: `instances` of every participant app on its one database, competing
 * for its queues, and as many orchestrators on theirs, at least two. The first process of a
 * participant is named after its app, the next ones `<app>-2`, `<app>-3`, …
 */
export function chaosProcesses(instances: number): ProcessPlan[] {
  const orchestrators = Array.from({ length: Math.max(2, instances) }, (_, i) => ({
    name: `orchestrator-${String.fromCharCode(97 + i)}`,
    service: 'orchestrator' as const,
    app: 'orchestrator',
  }));
  const participants = tripParticipantProfiles().flatMap(({ name, app }) =>
    Array.from({ length: instances }, (_, i) => ({
      name: i === 0 ? app : `${app}-${i + 1}`,
      service: name,
      app,
    })),
  );
  return [...orchestrators, ...participants];
}

export interface ChaosApps {
  all: AppProcess[];
  orchestrators: AppProcess[];
  participants: AppProcess[];
}

/**
 * Starts every process from `dist/apps/<app>/src/main.js`, each on a free port and behind its
 * own proxies. The first orchestrator starts alone: it creates the shared schema, which the
 * second then finds migrated.
 */
export async function startChaosApps(
  infrastructure: ChaosInfrastructure,
  distDir: string,
  logDir: string,
  extraEnv: Env,
  instances = 1,
): Promise<ChaosApps> {
  const all: AppProcess[] = [];
  for (const p of chaosProcesses(instances)) {
    const wiring = await infrastructure.wire(p.service);
    const env: Env = {
      NODE_ENV: 'development',
      DATABASE_URL: wiring.databaseUrl,
      AMQP_URL: wiring.amqpUrl,
      ...extraEnv,
    };
    const main = join(distDir, 'apps', p.app, 'src', 'main.js');
    const log = join(logDir, `${p.name}.log`);
    all.push(new AppProcess(p.name, main, await freePort(), env, log, p.app));
  }
  try {
    await all[0].start();
    await Promise.all(all.slice(1).map((app) => app.start()));
  } catch (error) {
    // The caller never gets the processes: stop here whatever did start.
    await Promise.all(all.map((app) => app.stop()));
    throw error;
  }
  return {
    all,
    orchestrators: all.filter((a) => a.serviceName === 'orchestrator'),
    participants: all.filter((a) => a.serviceName !== 'orchestrator'),
  };
}
