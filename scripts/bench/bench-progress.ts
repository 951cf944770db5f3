import { performance } from 'node:perf_hooks';
import { Presets, SingleBar } from 'cli-progress';
import { BenchHooks } from './bench';

/** A bar per run on stderr: seconds elapsed, bookings ended, their rate. */
export function benchProgress(): BenchHooks {
  let bar: SingleBar | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let ended = 0;
  let t0 = 0;
  const stop = () => {
    clearInterval(ticker);
    bar?.stop();
    bar = undefined;
  };
  return {
    onPhase: (message) => process.stderr.write(`${message}…\n`),
    onRunStart: (label, seconds) => {
      stop();
      ended = 0;
      t0 = performance.now();
      bar = new SingleBar(
        {
          format: '{label} |{bar}| {value}/{total} s · {ended} bookings · {rate}/s',
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      bar.start(seconds, 0, { label: label.padEnd(34), ended: 0, rate: '0' });
      ticker = setInterval(() => {
        const s = (performance.now() - t0) / 1000;
        bar?.update(Math.min(seconds, Math.floor(s)), { ended, rate: (ended / s).toFixed(0) });
      }, 500);
    },
    onBooking: () => {
      ended++;
    },
    onRunEnd: (figures) => {
      stop();
      process.stderr.write(
        `  → ${figures.bookingsPerSecond.toFixed(1)} bookings/s, p50 ${figures.p50?.toFixed(1) ?? '–'} ms, ` +
          `p99 ${figures.p99?.toFixed(1) ?? '–'} ms, ${figures.errors} errors\n`,
      );
    },
  };
}
