/** The four apps' databases, as the scripts read them directly. */
export interface TripDatabaseUrls {
  orchestrator: string;
  flight: string;
  hotel: string;
  payment: string;
}

/** Where the running apps and their databases are. */
export interface TripEndpoints {
  orchestratorUrl: string;
  flightUrl: string;
  hotelUrl: string;
  paymentUrl: string;
  databases: TripDatabaseUrls;
}

type Env = Record<string, string | undefined>;

const PG = 'postgres://postgres@localhost:5432';

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
  return {
    orchestratorUrl: url('ORCHESTRATOR_URL', 'http://localhost:3000'),
    flightUrl: url('FLIGHT_URL', 'http://localhost:3001'),
    hotelUrl: url('HOTEL_URL', 'http://localhost:3002'),
    paymentUrl: url('PAYMENT_URL', 'http://localhost:3003'),
    databases: {
      orchestrator: url('ORCHESTRATOR_DATABASE_URL', `${PG}/saga_orchestrator`),
      flight: url('FLIGHT_DATABASE_URL', `${PG}/flight_service`),
      hotel: url('HOTEL_DATABASE_URL', `${PG}/hotel_service`),
      payment: url('PAYMENT_DATABASE_URL', `${PG}/payment_service`),
    },
  };
}

/** The same endpoints with any database password replaced by `***`, for reports. */
export function maskPasswords(endpoints: TripEndpoints): TripEndpoints {
  const mask = (value: string): string => {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  };
  const { databases } = endpoints;
  return {
    ...endpoints,
    databases: {
      orchestrator: mask(databases.orchestrator),
      flight: mask(databases.flight),
      hotel: mask(databases.hotel),
      payment: mask(databases.payment),
    },
  };
}
