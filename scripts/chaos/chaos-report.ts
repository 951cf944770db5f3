import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChaosResult, ChaosSummary } from './chaos';

/** The one line a run ends with. */
export function summaryLine(s: ChaosSummary): string {
  return (
    `chaos: bookings=${s.bookings} processes=${s.processes} faults=${s.faults} ` +
    `poison=${s.poison} ` +
    `hostile=${s.hostileReplyTo} restarts=${s.restarts} outages=${s.outages} ` +
    `freezes=${s.freezes} poison-timers=${s.poisonTimers} ` +
    `pending=${s.pending} violations=${s.violations}`
  );
}

/** Writes `<dir>/chaos-<timestamp>.json`: options, disruptions, checks, every booking. */
export async function writeChaosReport(result: ChaosResult, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const path = join(dir, `chaos-${stamp}.json`);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
