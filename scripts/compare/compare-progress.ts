import { Presets, SingleBar } from 'cli-progress';
import { CompareHooks } from './compare';

/** A progress bar per mode on stderr (drawn only on a terminal), and a line per phase. */
export function progressHooks(): CompareHooks {
  let bar: SingleBar | undefined;
  const tally = { confirmed: 0, cancelled: 0, other: 0 };
  return {
    onPhase: (message) => process.stderr.write(`${message}…\n`),
    onModeStart: (mode, total) => {
      Object.assign(tally, { confirmed: 0, cancelled: 0, other: 0 });
      bar = new SingleBar(
        {
          format:
            '{mode} |{bar}| {value}/{total} bookings · {confirmed} confirmed · {cancelled} cancelled · {other} other · {duration}s',
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0, { mode: mode.padEnd(13), ...tally });
    },
    onBookingSettled: (_mode, record, done) => {
      if (record.status === 'CONFIRMED') tally.confirmed++;
      else if (record.status === 'CANCELLED') tally.cancelled++;
      else tally.other++;
      bar?.update(done, tally);
    },
    onModeEnd: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
