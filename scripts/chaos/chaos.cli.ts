import { chaosProgress } from './chaos-progress';
import { summaryLine, writeChaosReport } from './chaos-report';
import { ChaosUsageError } from './chaos-usage.error';
import { runChaos } from './chaos';
import { CHAOS_USAGE, ChaosOptions, parseChaosArgs } from './chaos.options';

/**
 * `npm run chaos -- --bookings N [flags]`: runs the apps as processes of its own, disrupts
 * them while it books, checks, writes the report and prints one summary line. Exits 0 only
 * when no booking is left pending and nothing is violated; 2 on a bad command line.
 */
async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(CHAOS_USAGE);
    return 0;
  }
  let options: ChaosOptions;
  try {
    options = parseChaosArgs(argv);
  } catch (error) {
    if (!(error instanceof ChaosUsageError)) throw error;
    console.error(`chaos: ${error.message}\n\n${CHAOS_USAGE}`);
    return error.exitCode;
  }
  const result = await runChaos(options, chaosProgress());
  const path = await writeChaosReport(result, options.reportDir);
  for (const violation of result.violations.slice(0, 20)) console.error(`violation: ${violation}`);
  console.log(`report: ${path}`);
  console.log(summaryLine(result.summary));
  return result.summary.pending === 0 && result.summary.violations === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`chaos: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
