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
 * Each app's heap, as in the image (Dockerfile, docs/benchmarks.md): a bounded old generation,
 * and semi-spaces of at most 16 MB. Node.js 20 sizes the young generation so by itself; Node.js
 * 24 (the image's) lets it grow to 64 MB semi-spaces, and beside a 128 MB old generation the
 * apps then fell into back-to-back full collections under load that freed nothing (36 MB live;
 * 120–137 ms of orchestrator CPU per choreographed booking, against 5–8 ms bounded).
 */
export const APP_HEAP_FLAGS = '--max-old-space-size=128 --max-semi-space-size=16';

/**
 * The built apps to run: the orchestrator and every participant (`TRIP_APPS`), or those named,
 * each with the image's heap (`APP_HEAP_FLAGS`).
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
            command: `${JSON.stringify(node)} ${APP_HEAP_FLAGS} ${main(name)}`,
            prefixColor: APP_COLOURS[i % APP_COLOURS.length],
          },
        ]
      : [],
  );
}
