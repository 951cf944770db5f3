import { loadConfig } from '@app/platform';
import { OrchestratorConfig } from './orchestrator.config';

describe('OrchestratorConfig', () => {
  it("knows each participant's URL: the contract's default, or its variable's", () => {
    const config = loadConfig(OrchestratorConfig, { HOTEL_URL: 'http://hotel-service:3002' });
    expect(config.participantUrl('flight')).toBe('http://localhost:3001');
    expect(config.participantUrl('hotel')).toBe('http://hotel-service:3002');
    expect(config.participantUrl('payment')).toBe('http://localhost:3003');
  });

  it('refuses a participant URL that is not http, by its name', () => {
    expect(() => loadConfig(OrchestratorConfig, { PAYMENT_URL: 'payment:3003' })).toThrow(
      'invalid configuration:\n  PAYMENT_URL: PAYMENT_URL must be an http:// URL',
    );
  });
});
