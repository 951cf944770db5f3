import { appDir, TRIP_APPS, TripAppName } from '../support/trip-endpoints';
import { UsageError } from '../support/command-line';

/** The colour of each app's prefix, by its place in `TRIP_APPS` (round again past the last). */
export const APP_COLOURS = ['blue', 'green', 'yellow', 'magenta', 'cyan', 'red', 'white', 'gray'];

/** One built app as `concurrently` runs it: its name (the prefix), its command line, its colour. */
export interface AppCommand {
  name: TripAppName;
  command: string;
  prefixColor: string;
}

export const START_USAGE = `Usage: npm start                     (builds, then runs every app)
       npm run start:app -- [app …]    (runs the built apps named, or all of them)
Apps: ${TRIP_APPS.join(', ')}`;

/**
 * The built apps to run: the orchestrator and every participant (`TRIP_APPS`), or those named,
 * each with a heap bounded as in the image (Dockerfile, docs/benchmarks.md).
 */
export function appCommands(names: readonly string[], node = process.execPath): AppCommand[] {
  const unknown = names.filter((name) => !(TRIP_APPS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`no app named ${unknown.join(', ')}`);
  const main = (name: TripAppName) => `dist/apps/${appDir(name)}/src/main.js`;
  return TRIP_APPS.flatMap((name, i) =>
    names.length === 0 || names.includes(name)
      ? [
          {
            name,
            command: `${JSON.stringify(node)} --max-old-space-size=128 ${main(name)}`,
            prefixColor: APP_COLOURS[i % APP_COLOURS.length],
          },
        ]
      : [],
  );
}
