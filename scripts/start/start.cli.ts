import concurrently from 'concurrently';
import { runCommandLine } from '../support/command-line';
import { appCommands, START_USAGE } from './app-commands';

/**
 * `npm start` (after `npm run build`), or `npm run start:app -- [app …]`: the built apps in
 * the foreground, each line prefixed with the app's name. When one of them exits, the others
 * are stopped (concurrently's `--kill-others`), and so they are on Ctrl-C. Exits 0 when every
 * app ended cleanly, 1 otherwise.
 */
runCommandLine('start', START_USAGE, appCommands, async (commands) => {
  const { result } = concurrently(commands, { killOthers: ['failure', 'success'] });
  return result.then(
    () => 0,
    () => 1,
  );
});
