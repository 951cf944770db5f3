import { loadConfig } from '@app/platform';
import { tripParticipantProfiles } from '@app/trip-api';
import { OrchestratorConfig, participantUrlVariable } from '../config/orchestrator.config';
import { participantTargets } from './metrics-targets';

describe('participantTargets', () => {
  it("lists every participant's app where the orchestrator reaches it, one group each", () => {
    const profiles = tripParticipantProfiles();
    const env = Object.fromEntries(
      profiles.map(({ name, app, port }) => [
        participantUrlVariable(name),
        `http://${app}:${port}`,
      ]),
    );
    expect(env.HOTEL_URL).toBe('http://hotel-service:3002');
    expect(participantTargets(loadConfig(OrchestratorConfig, env))).toEqual(
      profiles.map(({ name, app, port }) => ({
        targets: [`${app}:${port}`],
        labels: { participant: name, app },
      })),
    );
  });

  it('defaults to the profiles’ ports on localhost, and keeps a scheme or a path the URL has', () => {
    const config = loadConfig(OrchestratorConfig, { HOTEL_URL: 'https://edge.example/hotel/' });
    const groups = participantTargets(config);
    expect(groups[0].targets).toEqual(['localhost:3001']);
    expect(groups.find((group) => group.labels.participant === 'hotel')).toEqual({
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
