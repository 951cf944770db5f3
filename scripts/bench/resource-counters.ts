import { Client } from 'pg';
import {
  appDir,
  appUrls,
  TRIP_APPS,
  TripAppName,
  TripDatabaseUrls,
  TripEndpoints,
} from '../support/trip-endpoints';
import {
  cpuSeconds,
  memoryMb,
  pidListeningOn,
  pidsByCommandLine,
  pidsByName,
  writeCalls,
} from './proc-stats';

export const APPS = TRIP_APPS;
export type AppName = TripAppName;

/** Everything counted at one instant; deltas of two of them make a run's figures. */
export interface CounterSnapshot {
  appCpu: Record<AppName, number | null>;
  /** Write system calls of the apps' processes together; null if one could not be read. */
  appWriteCalls: number | null;
  /** CPU seconds of each PostgreSQL backend serving the apps' databases, by pid. */
  postgresCpu: Map<number, number>;
  rabbitCpu: number | null;
  /** `xact_commit` of the apps' databases (read-only transactions count too). */
  commits: number;
  /** Outbox rows ever written by the apps (the outbox ids only grow). */
  messages: number;
  /** Rows inserted, updated and deleted in the apps' tables (`pg_stat_user_tables`). */
  rowWrites: number;
  /**
   * Statements the apps' databases ran (`pg_stat_statements`, `BEGIN` and `COMMIT` included):
   * about one round trip each, a string of several sent at once counting each; null where the
   * extension is not loaded and created in the database.
   */
  statements: number | null;
}

export interface CounterDelta {
  cpuSeconds: Record<AppName | 'postgres' | 'rabbitmq', number | null>;
  appWriteCalls: number | null;
  commits: number;
  messages: number;
  rowWrites: number;
  statements: number | null;
}

/**
 * Reads the resources the apps use: CPU of their processes, of the PostgreSQL backends of
 * their databases and of RabbitMQ from /proc; commits from pg_stat_database; messages from
 * the outboxes. PostgreSQL and RabbitMQ are shared with whatever else runs on the machine:
 * the backends are the apps' own, but the broker's CPU is everyone's.
 */
/** How an app's sessions reach PostgreSQL; null when it has none open. */
export type DatabaseTransport = 'socket' | 'tcp' | 'both' | null;

export class ResourceCounters {
  private constructor(
    readonly pids: Record<AppName, number | null>,
    private readonly rabbitPids: number[],
    private readonly clients: Record<keyof TripDatabaseUrls, Client>,
  ) {}

  static async open(endpoints: TripEndpoints): Promise<ResourceCounters> {
    const urls = appUrls(endpoints);
    const pids = Object.fromEntries(
      await Promise.all(APPS.map(async (app) => [app, await findApp(app, urls[app])] as const)),
    ) as Record<AppName, number | null>;
    const clients = Object.fromEntries(
      await Promise.all(
        APPS.map(async (app) => {
          const client = new Client({ connectionString: endpoints.databases[app] });
          await client.connect();
          return [app, client] as const;
        }),
      ),
    ) as Record<AppName, Client>;
    return new ResourceCounters(pids, await pidsByName('beam.smp'), clients);
  }

  async snapshot(): Promise<CounterSnapshot> {
    const [appCpu, appWrites, dbFigures, rabbit] = await Promise.all([
      Promise.all(APPS.map(async (app) => [app, await cpuOf(this.pids[app])] as const)),
      Promise.all(APPS.map((app) => writeCallsOf(this.pids[app]))),
      Promise.all(APPS.map((app) => databaseFigures(this.clients[app]))),
      Promise.all(this.rabbitPids.map(cpuSeconds)),
    ]);
    const backends = [...new Set(dbFigures.flatMap((f) => f.backends))];
    const backendCpu = await Promise.all(backends.map(cpuSeconds));
    const postgresCpu = new Map<number, number>();
    backends.forEach((pid, i) => {
      const cpu = backendCpu[i];
      if (cpu !== null) postgresCpu.set(pid, cpu);
    });
    return {
      appCpu: Object.fromEntries(appCpu) as Record<AppName, number | null>,
      appWriteCalls: appWrites.some((w) => w === null)
        ? null
        : appWrites.reduce<number>((a, b) => a + (b ?? 0), 0),
      postgresCpu,
      rabbitCpu: rabbit.some((c) => c === null)
        ? null
        : rabbit.reduce<number>((a, b) => a + (b ?? 0), 0),
      commits: dbFigures.reduce((sum, f) => sum + f.commits, 0),
      messages: dbFigures.reduce((sum, f) => sum + f.outboxId, 0),
      rowWrites: dbFigures.reduce((sum, f) => sum + f.rowWrites, 0),
      statements: dbFigures.some((f) => f.statements === null)
        ? null
        : dbFigures.reduce((sum, f) => sum + (f.statements ?? 0), 0),
    };
  }

  /** Peak and current resident memory of each app, in MB. */
  async memory(): Promise<Record<AppName, { rss: number; peak: number } | null>> {
    const entries = await Promise.all(
      APPS.map(async (app) => {
        const pid = this.pids[app];
        return [app, pid === null ? null : await memoryMb(pid)] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<AppName, { rss: number; peak: number } | null>;
  }

  /** How each app's sessions reach its database: its Unix socket, TCP, both, or none seen. */
  async databaseTransports(): Promise<Record<AppName, DatabaseTransport>> {
    const entries = await Promise.all(
      APPS.map(async (app) => {
        const { rows } = await this.clients[app].query<{ socket: boolean }>(
          `SELECT client_addr IS NULL AS socket FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
              AND pid <> pg_backend_pid()`,
        );
        const kinds = new Set(rows.map((r) => (r.socket ? 'socket' : 'tcp')));
        const transport: DatabaseTransport = kinds.size === 2 ? 'both' : ([...kinds][0] ?? null);
        return [app, transport] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<AppName, DatabaseTransport>;
  }

  /** Row counts of the tables that must stay bounded (soak). */
  async tableRows(): Promise<Record<string, number>> {
    const rows: Record<string, number> = {};
    for (const app of APPS) {
      const client = this.clients[app];
      const audit = app === 'orchestrator' ? ['saga_audit'] : [];
      for (const table of ['saga_outbox', 'saga_inbox', ...audit]) {
        const result = await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM ${table}`,
        );
        rows[`${app}.${table}`] = Number(result.rows[0].n);
      }
    }
    return rows;
  }

  async close(): Promise<void> {
    await Promise.all(APPS.map((app) => this.clients[app].end().catch(() => undefined)));
  }
}

export function deltaOf(before: CounterSnapshot, after: CounterSnapshot): CounterDelta {
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  let postgres = 0;
  // A backend born during the window counts from zero; one that left takes its time with it.
  for (const [pid, cpu] of after.postgresCpu) postgres += cpu - (before.postgresCpu.get(pid) ?? 0);
  const apps = Object.fromEntries(
    APPS.map((app) => [app, diff(before.appCpu[app], after.appCpu[app])]),
  ) as Record<AppName, number | null>;
  return {
    cpuSeconds: { ...apps, postgres, rabbitmq: diff(before.rabbitCpu, after.rabbitCpu) },
    appWriteCalls: diff(before.appWriteCalls, after.appWriteCalls),
    commits: after.commits - before.commits,
    messages: after.messages - before.messages,
    rowWrites: after.rowWrites - before.rowWrites,
    statements: diff(before.statements, after.statements),
  };
}

async function findApp(app: AppName, url: string): Promise<number | null> {
  const { port, hostname } = new URL(url);
  const local = ['localhost', '127.0.0.1', '[::1]', '::1'].includes(hostname);
  const byPort = local ? await pidListeningOn(Number(port || 80)) : null;
  if (byPort !== null) return byPort;
  const byCommand = await pidsByCommandLine(`dist/apps/${appDir(app)}/src/main.js`);
  return byCommand.length === 1 ? byCommand[0] : null;
}

async function cpuOf(pid: number | null): Promise<number | null> {
  return pid === null ? null : cpuSeconds(pid);
}

async function writeCallsOf(pid: number | null): Promise<number | null> {
  return pid === null ? null : writeCalls(pid);
}

interface DatabaseFigures {
  commits: number;
  outboxId: number;
  rowWrites: number;
  statements: number | null;
  backends: number[];
}

async function databaseFigures(client: Client): Promise<DatabaseFigures> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{
    commits: string;
    outbox: string;
    writes: string;
    backends: number[];
  }>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::text
              AS commits,
            (SELECT coalesce(max(id), 0) FROM saga_outbox)::text AS outbox,
            (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables)
              ::text AS writes,
            (SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()) AS backends`,
  );
  return {
    commits: Number(rows[0].commits),
    outboxId: Number(rows[0].outbox),
    rowWrites: Number(rows[0].writes),
    statements: await statementsRun(client),
    backends: rows[0].backends,
  };
}

/** `pg_stat_statements`' calls in this database, or null without the extension. */
async function statementsRun(client: Client): Promise<number | null> {
  const { rows } = await client.query<{ installed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed`,
  );
  if (!rows[0].installed) return null;
  try {
    const calls = await client.query<{ n: string }>(
      `SELECT coalesce(sum(calls), 0)::text AS n FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return Number(calls.rows[0].n);
  } catch {
    // Created, but not in shared_preload_libraries: the view cannot be read.
    return null;
  }
}
