import { TRIP_PARTICIPANTS } from '@app/trip-api';
import { Client } from 'pg';
import { addVhost, deleteVhost } from '../support/rabbitmq-admin';
import { TcpProxy } from '../support/tcp-proxy';
import { TripDatabaseUrls } from '../support/trip-invariants';

export type ServiceName = keyof TripDatabaseUrls;
export const SERVICES: readonly ServiceName[] = ['orchestrator', ...TRIP_PARTICIPANTS];

/** What one app process connects to, each through its own proxies. */
export interface AppWiring {
  databaseUrl: string;
  amqpUrl: string;
  proxies: TcpProxy[];
}

/**
 * The run's own databases (`chaos_<ts>_<service>`) and RabbitMQ vhost (`chaos_<ts>`), so it
 * shares nothing with whatever else uses the same servers, and a pair of loopback proxies
 * (PostgreSQL, RabbitMQ) per app process, so an outage can be made without touching them.
 */
export class ChaosInfrastructure {
  readonly proxies: { database: TcpProxy[]; broker: TcpProxy[] } = { database: [], broker: [] };

  private constructor(
    readonly runId: string,
    readonly databases: TripDatabaseUrls,
    readonly vhost: string,
    readonly amqpUrl: string,
    private readonly serverUrl: string,
    private readonly amqpTarget: { host: string; port: number },
  ) {}

  static async create(
    runId: string,
    serverUrl: string,
    amqpTarget: { host: string; port: number },
  ): Promise<ChaosInfrastructure> {
    const names = Object.fromEntries(SERVICES.map((s) => [s, `${runId}_${s}`]));
    await withServer(serverUrl, async (client) => {
      for (const name of Object.values(names)) await client.query(`CREATE DATABASE "${name}"`);
    });
    const databases = Object.fromEntries(
      SERVICES.map((s) => [s, databaseUrl(serverUrl, names[s])]),
    ) as unknown as TripDatabaseUrls;
    const amqpUrl = await addVhost(runId);
    return new ChaosInfrastructure(runId, databases, runId, amqpUrl, serverUrl, amqpTarget);
  }

  /** Two fresh proxies for one app process: its database and its broker connections. */
  async wire(service: ServiceName): Promise<AppWiring> {
    const pg = new URL(this.serverUrl);
    const database = await TcpProxy.start({ host: pg.hostname, port: Number(pg.port || 5432) });
    const broker = await TcpProxy.start(this.amqpTarget);
    this.proxies.database.push(database);
    this.proxies.broker.push(broker);
    return {
      databaseUrl: database.rewrite(this.databases[service]),
      amqpUrl: broker.rewrite(this.amqpUrl),
      proxies: [database, broker],
    };
  }

  /** Closes the proxies; drops the databases and the vhost unless they are to be kept. */
  async dispose(keep: boolean): Promise<void> {
    await Promise.all([...this.proxies.database, ...this.proxies.broker].map((p) => p.close()));
    if (keep) return;
    await withServer(this.serverUrl, async (client) => {
      for (const url of Object.values(this.databases)) {
        const name = new URL(url).pathname.slice(1);
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    });
    await deleteVhost(this.vhost);
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withServer(serverUrl: string, work: (client: Client) => Promise<void>) {
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
