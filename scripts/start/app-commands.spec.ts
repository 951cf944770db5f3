import { TRIP_PARTICIPANT_PROFILES, TRIP_PARTICIPANTS } from '@app/trip-api';
import { UsageError } from '../support/command-line';
import { appCommands } from './app-commands';

describe('appCommands', () => {
  it('runs the orchestrator and every participant, each built app with its name and colour', () => {
    const commands = appCommands([], '/usr/bin/node');
    expect(commands.map((c) => c.name)).toEqual(['orchestrator', ...TRIP_PARTICIPANTS]);
    expect(commands.slice(0, 4).map((c) => `${c.name}:${c.prefixColor}`)).toEqual([
      'orchestrator:blue',
      'flight:green',
      'hotel:yellow',
      'payment:magenta',
    ]);
    expect(commands[0].command).toBe(
      '"/usr/bin/node" --max-old-space-size=128 dist/apps/orchestrator/src/main.js',
    );
    for (const { name, command } of commands.slice(1)) {
      const app = TRIP_PARTICIPANT_PROFILES[name as keyof typeof TRIP_PARTICIPANT_PROFILES].app;
      expect(command).toContain(` dist/apps/${app}/src/main.js`);
    }
  });

  it('runs only the apps named, each keeping its colour, and refuses a name it does not know', () => {
    expect(appCommands(['payment'], 'node')).toEqual([
      {
        name: 'payment',
        command: '"node" --max-old-space-size=128 dist/apps/payment-service/src/main.js',
        prefixColor: 'magenta',
      },
    ]);
    expect(() => appCommands(['payments'])).toThrow(UsageError);
  });
});
