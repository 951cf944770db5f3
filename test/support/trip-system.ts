import { Server } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { TRIP_PARTICIPANT_PROFILES, TripParticipant } from '@app/trip-api';
import { Client } from 'pg';
import request from 'supertest';
import { createOrchestratorApp } from '../../apps/orchestrator/src/orchestrator.app';
import {
  appDir,
  appUrls,
  byParticipant,
  TRIP_APPS,
  TripAppName,
  TripEndpoints,
} from '../../scripts/support/trip-endpoints';
import { createTestDatabase, TestDatabase } from './postgres';
import { createTestVhost, TestVhost } from './rabbitmq-vhost';

export type AppName = TripAppName;

/** Every app of the trip, the orchestrator first, as the participant profiles list them. */
export const ALL_APPS: readonly AppName[] = TRIP_APPS;
/** Every participant of the trip. */
export const PARTICIPANTS: readonly TripParticipant[] = TRIP_APPS.filter(
  (app): app is TripParticipant => app !== 'orchestrator',
);
/** Every app but `left` (those a test runs its own way, or later). */
export const appsBut = (...left: AppName[]): AppName[] =>
  TRIP_APPS.filter((app) => !left.includes(app));
type Env = Record<string, string | undefined>;
type AppFactory = (env: Env, options: { logger: false }) => Promise<INestApplication>;

/**
 * An app's factory: the orchestrator's, or the one a participant's `<app>.app.ts` exports
 * (`createFlightServiceApp` in `apps/flight-service/src/flight-service.app.ts`).
 */
function factoryOf(app: AppName): AppFactory {
  if (app === 'orchestrator') return createOrchestratorApp;
  const dir = appDir(app);
  const file = join(__dirname, '..', '..', 'apps', dir, 'src', `${dir}.app`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(file) as Record<string, unknown>;
  const name = Object.keys(exported).find((key) => /^create\w*App$/.test(key));
  if (!name) throw new Error(`${file} exports no create…App factory`);
  return exported[name] as AppFactory;
}

export interface BookingView {
  bookingId: string;
  mode: string;
  status: string;
  steps: { name: string; status: string; attempts: number; compensationAttempts: number }[];
  failureReason: string | null;
}

export interface AuditLine {
  at: string;
  type: string;
  step: string | null;
  detail: Record<string, unknown>;
}

/**
 * The four apps in this jest process, each on its own fresh database, all on one fresh
 * RabbitMQ vhost: a test file shares nothing with another, and nothing is mocked.
 */
export class TripSystem {
  readonly apps = new Map<AppName, INestApplication>();

  private constructor(
    readonly vhost: TestVhost,
    readonly databases: Record<AppName, TestDatabase>,
    private readonly extraEnv: Env,
  ) {}

  static async start(options: { env?: Env; apps?: AppName[] } = {}): Promise<TripSystem> {
    const vhost = await createTestVhost();
    const names = [...TRIP_APPS];
    const dbs = await Promise.all(names.map((n) => createTestDatabase(n)));
    const databases = Object.fromEntries(names.map((n, i) => [n, dbs[i]])) as Record<
      AppName,
      TestDatabase
    >;
    const system = new TripSystem(vhost, databases, options.env ?? {});
    for (const name of options.apps ?? names) await system.startApp(name);
    return system;
  }

  env(name: AppName): Env {
    return {
      PORT: '0',
      DATABASE_URL: this.databases[name].url,
      AMQP_URL: this.vhost.url,
      ...this.extraEnv,
    };
  }

  async startApp(name: AppName, env: Env = {}): Promise<INestApplication> {
    const app = await factoryOf(name)({ ...this.env(name), ...env }, { logger: false });
    this.apps.set(name, app);
    return app;
  }

  /** Listens a running app on a free port (once) and returns its base URL, for HTTP clients. */
  async listen(name: AppName): Promise<string> {
    const app = this.apps.get(name);
    if (!app) throw new Error(`${name} is not running`);
    if (!(app.getHttpServer() as Server).listening) await app.listen(0, '127.0.0.1');
    return app.getUrl();
  }

  /** Each app's database URL. */
  databaseUrls(): Record<AppName, string> {
    return {
      orchestrator: this.databases.orchestrator.url,
      ...byParticipant((name) => this.databases[name].url),
    };
  }

  /** Every app listening, and where, as the scripts take it. */
  async endpoints(): Promise<TripEndpoints> {
    const urls: Partial<Record<AppName, string>> = {};
    for (const app of TRIP_APPS) urls[app] = await this.listen(app);
    const { orchestrator, ...participants } = urls as ReturnType<typeof appUrls>;
    return {
      orchestratorUrl: orchestrator,
      participantUrls: participants,
      databases: this.databaseUrls(),
    };
  }

  async stopApp(name: AppName): Promise<void> {
    await this.apps.get(name)?.close();
    this.apps.delete(name);
  }

  http(name: AppName): ReturnType<typeof request> {
    const app = this.apps.get(name);
    if (!app) throw new Error(`${name} is not running`);
    return request(app.getHttpServer());
  }

  async book(body: object, headers: Record<string, string> = {}): Promise<string> {
    const response = await this.http('orchestrator')
      .post('/bookings')
      .set(headers)
      .send(body)
      .expect(202);
    return (response.body as { bookingId: string }).bookingId;
  }

  async booking(bookingId: string): Promise<BookingView> {
    const response = await this.http('orchestrator').get(`/bookings/${bookingId}`).expect(200);
    return response.body as BookingView;
  }

  /** Waits until the booking has left PENDING (with `?wait=`, no polling), and returns it. */
  async settled(bookingId: string, timeoutMs = 20_000): Promise<BookingView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seconds = Math.max(1, Math.min(10, Math.ceil((deadline - Date.now()) / 1000)));
      const response = await this.http('orchestrator')
        .get(`/bookings/${bookingId}?wait=${seconds}`)
        .expect(200);
      const booking = response.body as BookingView;
      if (booking.status !== 'PENDING') return booking;
      if (Date.now() >= deadline)
        throw new Error(`booking ${bookingId} still PENDING after ${timeoutMs} ms`);
    }
  }

  async audit(bookingId: string): Promise<AuditLine[]> {
    const response = await this.http('orchestrator')
      .get(`/bookings/${bookingId}/audit`)
      .expect(200);
    return response.body as AuditLine[];
  }

  /** A participant's view of a booking, or null on 404. */
  async participantState(
    name: TripParticipant,
    bookingId: string,
  ): Promise<Record<string, unknown> | null> {
    const path = TRIP_PARTICIPANT_PROFILES[name].statePath.replace(':bookingId', bookingId);
    const response = await this.http(name).get(path);
    if (response.status === 404) return null;
    if (response.status !== 200) throw new Error(`${name} ${path}: ${response.status}`);
    return response.body as Record<string, unknown>;
  }

  /** Runs SQL on an app's own database (for assertions the HTTP API does not offer). */
  async sql<T = Record<string, unknown>>(
    name: AppName,
    text: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const client = new Client({ connectionString: this.databases[name].url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    for (const name of [...this.apps.keys()]) await this.stopApp(name);
    await Promise.all(Object.values(this.databases).map((db) => db.dispose()));
    await this.vhost.dispose();
  }
}
