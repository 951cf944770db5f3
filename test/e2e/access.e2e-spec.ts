import { loadConfig } from '@app/platform';
import { OrchestratorConfig } from '../../apps/orchestrator/src/config/orchestrator.config';
import { TripSystem } from '../support/trip-system';

const READ_KEY = 'read-key-for-access-tests';
const ALICE_KEY = 'alice-operator-key-for-tests';
const trip = {
  customerId: 'cust-2',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
};

describe('API keys, with a read key configured', () => {
  let system: TripSystem;
  let bookingId: string;

  beforeAll(async () => {
    system = await TripSystem.start({
      apps: ['orchestrator'],
      env: { READ_API_KEY: READ_KEY, OPERATOR_API_KEYS: `alice:${ALICE_KEY}`, THROTTLE_LIMIT: '0' },
    });
    bookingId = await system.book(trip, { 'X-API-Key': READ_KEY });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const get = (path: string, key?: string) => {
    const request = system.http('orchestrator').get(path);
    return key ? request.set('X-API-Key', key) : request;
  };

  it('answers 401 to an unauthenticated read of the audit log, and 200 with either key', async () => {
    const response = await get(`/bookings/${bookingId}/audit`).expect(401);
    expect(response.body).toMatchObject({
      statusCode: 401,
      message: expect.stringMatching(/API key/),
    });
    await get(`/bookings/${bookingId}/audit`, 'a-wrong-key-of-some-length').expect(401);
    await get(`/bookings/${bookingId}/audit`, READ_KEY).expect(200);
    await get(`/bookings/${bookingId}/audit`, ALICE_KEY).expect(200);
    await system
      .http('orchestrator')
      .get(`/bookings/${bookingId}/audit`)
      .set('Authorization', `Bearer ${READ_KEY}`)
      .expect(200);
  });

  it('guards the whole bookings API, the definitions and the dashboard, not /health', async () => {
    for (const path of [`/bookings/${bookingId}`, '/bookings', '/saga-definitions']) {
      await get(path).expect(401);
      await get(path, READ_KEY).expect(200);
    }
    await system.http('orchestrator').post('/bookings').send(trip).expect(401);
    await get('/dashboard/api/runs').expect(401);
    await get('/dashboard/api/runs', READ_KEY).expect(200);
    // The page itself holds no data: it loads, then asks for the key.
    await get('/dashboard/').expect(200);
    await get('/dashboard').expect(302).expect('Location', '/dashboard/');
    await get('/health').expect(200);
  });

  it('lets a read key read but not act', async () => {
    await system
      .http('orchestrator')
      .post(`/bookings/${bookingId}/cancel`)
      .set('X-API-Key', READ_KEY)
      .send({ reason: 'not allowed' })
      .expect(401);
  });
});

describe('rate limit', () => {
  let system: TripSystem;

  afterAll(async () => {
    await system?.stop();
  });

  it('answers 429 past THROTTLE_LIMIT requests of one client, and never throttles /health', async () => {
    system = await TripSystem.start({
      apps: ['orchestrator'],
      env: { THROTTLE_LIMIT: '3', THROTTLE_TTL_SECONDS: '60' },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await system.http('orchestrator').get('/bookings')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    for (let i = 0; i < 5; i++) await system.http('orchestrator').get('/health').expect(200);
  });
});

describe('access configuration', () => {
  it('requires a read key in production, and names the variable', () => {
    expect(() => loadConfig(OrchestratorConfig, { NODE_ENV: 'production' })).toThrow(
      /READ_API_KEY is required when NODE_ENV=production/,
    );
    expect(
      loadConfig(OrchestratorConfig, { NODE_ENV: 'production', READ_API_KEY: READ_KEY })
        .READ_API_KEY,
    ).toBe(READ_KEY);
  });

  it('refuses malformed named operator keys and short keys, by name', () => {
    expect(() => loadConfig(OrchestratorConfig, { OPERATOR_API_KEYS: 'alice' })).toThrow(
      /OPERATOR_API_KEYS must be name:key pairs/,
    );
    expect(() => loadConfig(OrchestratorConfig, { OPERATOR_API_KEYS: 'alice:short' })).toThrow(
      /OPERATOR_API_KEYS/,
    );
    expect(() => loadConfig(OrchestratorConfig, { READ_API_KEY: 'short' })).toThrow(
      /READ_API_KEY must be at least 12 characters/,
    );
    expect(() => loadConfig(OrchestratorConfig, { FLIGHT_URL: 'flight:3001' })).toThrow(
      /FLIGHT_URL/,
    );
  });
});
