import { TRIP_PARTICIPANTS, TRIP_PARTICIPANT_PROFILES, TripParticipant } from '@app/trip-api';

/** The apps: the orchestrator and each participant of the trip. */
export type TripAppName = 'orchestrator' | TripParticipant;
export const TRIP_APPS: readonly TripAppName[] = ['orchestrator', ...TRIP_PARTICIPANTS];

/** An app's Nest project: `apps/<dir>`, built to `dist/apps/<dir>/src/main.js`. */
export const appDir = (app: TripAppName): string =>
  app === 'orchestrator' ? app : TRIP_PARTICIPANT_PROFILES[app].app;

/** Each app's database, as the scripts read them directly. */
export type TripDatabaseUrls = Record<TripAppName, string>;

/** Where the running apps and their databases are. */
export interface TripEndpoints {
  orchestratorUrl: string;
  /** Each participant's HTTP base URL. */
  participantUrls: Record<TripParticipant, string>;
  databases: TripDatabaseUrls;
}

type Env = Record<string, string | undefined>;

const PG = 'postgres://postgres@localhost:5432';

/** The environment variables of an app: `FLIGHT_URL`, `FLIGHT_DATABASE_URL`, … */
const envName = (app: TripAppName, what: 'URL' | 'DATABASE_URL') =>
  `${app.toUpperCase().replace(/-/g, '_')}_${what}`;

/** The variables of every app, in `TRIP_APPS` order: `ORCHESTRATOR_URL, FLIGHT_URL, …`. */
export const tripEnvNames = (what: 'URL' | 'DATABASE_URL'): string =>
  TRIP_APPS.map((app) => envName(app, what)).join(', ');

/**
 * The apps' URLs and databases from the environment, the contract's defaults otherwise.
 * `fail` builds the error thrown for a value that is not a URL.
 */
export function tripEndpointsFromEnv(env: Env, fail: (message: string) => Error): TripEndpoints {
  const url = (name: string, fallback: string): string => {
    const value = env[name]?.trim() || fallback;
    if (!URL.canParse(value)) throw fail(`${name} is not a URL: ${value}`);
    return value.replace(/\/+$/, '');
  };
  const participant = (name: TripParticipant, what: 'URL' | 'DATABASE_URL') => {
    const profile = TRIP_PARTICIPANT_PROFILES[name];
    const fallback =
      what === 'URL' ? `http://localhost:${profile.port}` : `${PG}/${profile.database}`;
    return url(envName(name, what), fallback);
  };
  return {
    orchestratorUrl: url('ORCHESTRATOR_URL', 'http://localhost:3000'),
    participantUrls: byParticipant((name) => participant(name, 'URL')),
    databases: {
      orchestrator: url('ORCHESTRATOR_DATABASE_URL', `${PG}/saga_orchestrator`),
      ...byParticipant((name) => participant(name, 'DATABASE_URL')),
    },
  };
}

/** One value per participant, in saga order. */
export function byParticipant<T>(value: (name: TripParticipant) => T): Record<TripParticipant, T> {
  return Object.fromEntries(TRIP_PARTICIPANTS.map((name) => [name, value(name)])) as Record<
    TripParticipant,
    T
  >;
}

/** Each app's HTTP base URL, the orchestrator's first. */
export function appUrls(endpoints: TripEndpoints): Record<TripAppName, string> {
  return { orchestrator: endpoints.orchestratorUrl, ...endpoints.participantUrls };
}

/** The same endpoints with any database password replaced by `***`, for reports. */
export function maskPasswords(endpoints: TripEndpoints): TripEndpoints {
  const mask = (value: string): string => {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  };
  const databases = Object.fromEntries(
    Object.entries(endpoints.databases).map(([app, url]) => [app, mask(url)]),
  ) as TripDatabaseUrls;
  return { ...endpoints, databases };
}
