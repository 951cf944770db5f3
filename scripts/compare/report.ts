import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ComparisonResult } from './compare';
import { renderReportHtml } from './report-html';

export interface WrittenReport {
  jsonPath: string;
  htmlPath: string;
}

/**
 * Writes `compare-<timestamp>.json` (everything measured, the workload, the options and the
 * machine) and `compare-<timestamp>.html` (the self-contained page) into `dir`.
 */
export async function writeReports(result: ComparisonResult, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const jsonPath = path.resolve(dir, `compare-${stamp}.json`);
  const htmlPath = path.resolve(dir, `compare-${stamp}.html`);
  await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(htmlPath, renderReportHtml(result));
  return { jsonPath, htmlPath };
}
