import { chaosProgress } from './chaos-progress';
import { summaryLine, writeChaosReport } from './chaos-report';
import { runChaos } from './chaos';
import { CHAOS_USAGE, ChaosOptions, parseChaosArgs } from './chaos.options';
import { runCommandLine } from '../support/command-line';

/**
 * `npm run chaos -- --bookings N [flags]`: runs the apps as processes of its own, disrupts
 * them while it books, checks, writes the report and prints one summary line. Exits 0 only
 * when no booking is left pending and nothing is violated; 2 on a bad command line.
 */
async function main(options: ChaosOptions): Promise<number> {
  const result = await runChaos(options, chaosProgress());
  const path = await writeChaosReport(result, options.reportDir);
  for (const violation of result.violations.slice(0, 20)) console.error(`violation: ${violation}`);
  console.log(`report: ${path}`);
  console.log(summaryLine(result.summary));
  return result.summary.pending === 0 && result.summary.violations === 0 ? 0 : 1;
}

runCommandLine('chaos', CHAOS_USAGE, parseChaosArgs, main);
