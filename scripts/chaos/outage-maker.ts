import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { TcpProxy } from '../support/tcp-proxy';
import { OutageKind } from './chaos.options';

const run = promisify(execFile);

export type Server = 'broker' | 'database';

/** Takes RabbitMQ or PostgreSQL away from every app for a while, then gives it back. */
export interface OutageMaker {
  outage(server: Server, ms: number): Promise<void>;
}

/**
 * Cuts every app's proxy to the server: from the apps' side this is the server going away
 * (open connections reset, new ones refused), while other users of the server see nothing.
 */
export class ProxyOutageMaker implements OutageMaker {
  constructor(private readonly proxies: Record<Server, TcpProxy[]>) {}

  async outage(server: Server, ms: number): Promise<void> {
    for (const proxy of this.proxies[server]) proxy.cut();
    await sleep(ms);
    for (const proxy of this.proxies[server]) proxy.restore();
  }
}

/**
 * Stops the real servers: `rabbitmqctl stop_app` / `start_app`, and the first PostgreSQL
 * cluster with `pg_ctlcluster`. Everything else on the machine loses them too, so only on a
 * quiet machine, and as a user allowed to run both.
 */
export class RealOutageMaker implements OutageMaker {
  async outage(server: Server, ms: number): Promise<void> {
    if (server === 'broker') {
      await run('rabbitmqctl', ['--quiet', 'stop_app'], { timeout: 60_000 });
      await sleep(ms);
      await run('rabbitmqctl', ['--quiet', 'start_app'], { timeout: 60_000 });
      return;
    }
    const version = readdirSync('/etc/postgresql').sort()[0];
    const ctl = (action: string) =>
      run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], {
        timeout: 60_000,
      });
    await ctl('stop');
    await sleep(ms);
    await ctl('start');
  }
}

export function outageMaker(kind: OutageKind, proxies: Record<Server, TcpProxy[]>): OutageMaker {
  return kind === 'real' ? new RealOutageMaker() : new ProxyOutageMaker(proxies);
}
