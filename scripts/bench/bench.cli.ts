import path from 'node:path';
import { BenchResult, runBench } from './bench';
import { benchMarkdown, soakMarkdown } from './bench-markdown';
import { benchProgress } from './bench-progress';
import { updateDocsTable, writeJsonReport } from './bench-report';
import { BENCH_USAGE, BenchOptions, parseBenchArgs } from './bench.options';
import { runSoak } from './soak';
import { runCommandLine } from '../support/command-line';

/**
 * `npm run bench -- [flags]`: closed-loop load against the running apps, the table printed and
 * written into docs/benchmarks.md, everything into reports/bench-<timestamp>.json. Exits 2 on
 * a bad command line, 1 when bookings failed.
 */
async function main(options: BenchOptions): Promise<number> {
  if (options.soakS !== null) {
    const result = await runSoak(options, (s, total) =>
      process.stderr.write(
        `soak ${s.t.toFixed(0)}/${total} s · ${s.bookings} bookings · ` +
          `${Object.entries(s.rssMb)
            .map(([app, mb]) => `${app} ${mb?.toFixed(0) ?? '–'} MB`)
            .join(', ')}\n`,
      ),
    );
    const file = await writeJsonReport(options.reportDir, 'soak', result.startedAt, result);
    const table = soakMarkdown(result, path.relative(process.cwd(), file));
    console.log(table);
    console.log(`report: ${file}`);
    return result.errors > 0 ? 1 : 0;
  }
  const result = await runBench(options, benchProgress());
  const file = await writeJsonReport(options.reportDir, 'bench', result.startedAt, result);
  const table = benchMarkdown(result, path.relative(process.cwd(), file));
  if (options.docsPath) await updateDocsTable(options.docsPath, table);
  console.log(table);
  console.log(`report: ${file}${options.docsPath ? `\ntable:  ${options.docsPath}` : ''}`);
  return problems(result);
}

function problems(result: BenchResult): number {
  for (const problem of result.limits?.problems ?? []) console.error(`bench: ${problem}`);
  const errors = result.configurations.reduce(
    (sum, c) => sum + c.runs.reduce((s, r) => s + r.errors, 0),
    0,
  );
  if (errors > 0) console.error(`bench: ${errors} bookings failed or did not end`);
  return errors > 0 ? 1 : 0;
}

runCommandLine('bench', BENCH_USAGE, parseBenchArgs, main);
