import { Presets, SingleBar } from 'cli-progress';
import { ChaosHooks } from './chaos';

/** A progress bar on stderr (drawn only on a terminal), a line per phase and per disruption. */
export function chaosProgress(): ChaosHooks {
  let bar: SingleBar | undefined;
  const tally = { kills: 0, outages: 0, refused: 0 };
  const say = (line: string) => {
    if (bar) bar.stop();
    process.stderr.write(`${line}\n`);
  };
  return {
    onPhase: (message) => {
      bar?.stop();
      bar = undefined;
      process.stderr.write(`${message}…\n`);
    },
    onBookingSent: (record, done, total) => {
      if (!bar) {
        bar = new SingleBar(
          {
            format:
              'chaos |{bar}| {value}/{total} bookings sent · {kills} kills · {outages} outages · {duration}s',
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, 0, tally);
      }
      if (!record.bookingId) tally.refused++;
      bar.update(done, tally);
    },
    onDisruption: (event) => {
      if (event.kind === 'kill') tally.kills++;
      else tally.outages++;
      const took = Date.parse(event.endedAt) - Date.parse(event.startedAt);
      say(`  ${event.kind} ${event.target} after ${event.afterBookings} bookings (${took} ms)`);
      bar?.start(bar.getTotal(), event.afterBookings, tally);
    },
  };
}
