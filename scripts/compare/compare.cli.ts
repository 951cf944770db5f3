import { runComparison, ComparisonResult } from './compare';
import { COMPARE_USAGE, CompareOptions, parseCompareArgs } from './compare.options';
import { progressHooks } from './compare-progress';
import { writeReports } from './report';
import { renderResultsTable } from './results-table';
import { runCommandLine } from '../support/command-line';

/**
 * `npm run compare -- --bookings N --concurrency C --failure-rate P --seed S`: runs the
 * comparison against the running apps, prints the table and writes the reports. Exits 2 on a
 * bad command line, 1 when a mode could not be measured or a booking did not end cleanly.
 */
async function main(options: CompareOptions): Promise<number> {
  const result = await runComparison(options, progressHooks());
  const written = await writeReports(result, options.reportDir);
  console.log(renderResultsTable(result));
  console.log(`report: ${written.htmlPath}\n        ${written.jsonPath}`);
  const problems = problemsOf(result);
  for (const problem of problems) console.error(`compare: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

function problemsOf(result: ComparisonResult): string[] {
  return result.modes.flatMap((mode) => {
    const m = mode.measurements;
    if (!m) return [mode.unavailableReason ?? `${mode.mode} was not measured`];
    const found: string[] = [];
    if (m.unfinished + m.errors > 0) {
      found.push(`${mode.mode}: ${m.unfinished} unfinished and ${m.errors} failed bookings`);
    }
    if (m.violations.length > 0) {
      found.push(`${mode.mode}: ${m.violations.length} invariant violations (see the report)`);
    }
    return found;
  });
}

runCommandLine('compare', COMPARE_USAGE, parseCompareArgs, main);
