import { TRIP_PARTICIPANT_PROFILES, TRIP_PARTICIPANTS } from '@app/trip-api';
import { TRIP_APPS } from '../support/trip-endpoints';
import { UsageError } from '../support/command-line';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_COLOURS, APP_HEAP_FLAGS, appCommands } from './app-commands';

const ROOT = join(__dirname, '../..');

describe('appCommands', () => {
  it('runs the orchestrator and every participant, each built app with its name and colour', () => {
    const commands = appCommands([], '/usr/bin/node');
    expect(commands.map((c) => c.name)).toEqual(['orchestrator', ...TRIP_PARTICIPANTS]);
    // The colours `npm start` gave the apps when it listed them by hand, in the same order.
    expect(APP_COLOURS.slice(0, 4)).toEqual(['blue', 'green', 'yellow', 'magenta']);
    expect(commands.map((c) => c.prefixColor)).toEqual(
      commands.map((_, i) => APP_COLOURS[i % APP_COLOURS.length]),
    );
    expect(commands[0].command).toBe(
      '"/usr/bin/node" --max-old-space-size=128 --max-semi-space-size=16 dist/apps/orchestrator/src/main.js',
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
        command:
          '"node" --max-old-space-size=128 --max-semi-space-size=16 dist/apps/payment-service/src/main.js',
        prefixColor: APP_COLOURS[TRIP_APPS.indexOf('payment')],
      },
    ]);
    expect(() => appCommands(['payments'])).toThrow(UsageError);
  });

  it('gives every way of starting an app the same heap: npm start, the start:* scripts, the image', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const starts = Object.entries(scripts).filter(([name]) => /^start:(?!app$)/.test(name));
    expect(starts.map(([name]) => name)).toEqual(TRIP_APPS.map((app) => `start:${app}`));
    for (const [, command] of starts)
      expect(command.split(' dist/apps/')[0]).toBe(`node ${APP_HEAP_FLAGS}`);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ENV NODE_OPTIONS="${APP_HEAP_FLAGS}"`);
  });
});
