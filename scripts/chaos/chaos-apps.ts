import { join } from 'node:path';
import { tripParticipantProfiles } from '@app/trip-api';
import { freePort } from '../support/free-port';
import { AppProcess, Env } from './app-process';
import { ChaosInfrastructure, ServiceName } from './chaos-infrastructure';

/** The run's processes: two orchestrators on one database, and every participant. */
const PROCESSES: { name: string; service: ServiceName; app: string }[] = [
  { name: 'orchestrator-a', service: 'orchestrator', app: 'orchestrator' },
  { name: 'orchestrator-b', service: 'orchestrator', app: 'orchestrator' },
  ...tripParticipantProfiles().map(({ name, app }) => ({ name: app, service: name, app })),
];

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
): Promise<ChaosApps> {
  const all: AppProcess[] = [];
  for (const p of PROCESSES) {
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
    orchestrators: all.filter((a) => a.name.startsWith('orchestrator')),
    participants: all.filter((a) => !a.name.startsWith('orchestrator')),
  };
}
