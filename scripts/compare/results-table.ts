import Table from 'cli-table3';
import { ComparisonResult } from './compare';
import { summaryRows } from './summary-rows';

/** The summary as a terminal table, one column per mode. */
export function renderResultsTable(result: ComparisonResult): string {
  const table = new Table({
    head: ['', ...result.modes.map((m) => m.mode)],
    colAligns: ['left', ...result.modes.map(() => 'right' as const)],
    // Colours only on a terminal: a table piped to a file or a CI log stays plain text.
    style: process.stdout.isTTY ? { head: ['cyan'] } : { head: [], border: [] },
  });
  for (const row of summaryRows(result)) table.push([row.label, ...row.values]);
  return table.toString();
}
