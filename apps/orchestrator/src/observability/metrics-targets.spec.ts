import { loadConfig } from '@app/platform';
import { OrchestratorConfig } from '../config/orchestrator.config';
import { participantTargets } from './metrics-targets';

describe('participantTargets', () => {
  it("lists every participant's app where the orchestrator reaches it, one group each", () => {
    const config = loadConfig(OrchestratorConfig, {
      FLIGHT_URL: 'http://flight-service:3001',
      HOTEL_URL: 'http://hotel-service:3002',
      PAYMENT_URL: 'http://payment-service:3003',
    });
    expect(participantTargets(config)).toEqual([
      {
        targets: ['flight-service:3001'],
        labels: { participant: 'flight', app: 'flight-service' },
      },
      { targets: ['hotel-service:3002'], labels: { participant: 'hotel', app: 'hotel-service' } },
      {
        targets: ['payment-service:3003'],
        labels: { participant: 'payment', app: 'payment-service' },
      },
    ]);
  });

  it('defaults to the profiles’ ports on localhost, and keeps a scheme or a path the URL has', () => {
    const config = loadConfig(OrchestratorConfig, { HOTEL_URL: 'https://edge.example/hotel/' });
    const [flight, hotel] = participantTargets(config);
    expect(flight.targets).toEqual(['localhost:3001']);
    expect(hotel).toEqual({
      targets: ['edge.example'],
      labels: {
        participant: 'hotel',
        app: 'hotel-service',
        __scheme__: 'https',
        __metrics_path__: '/hotel/metrics',
      },
    });
  });
});
