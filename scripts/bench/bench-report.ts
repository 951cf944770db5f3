import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { replaceBetweenMarkers } from './bench-markdown';

/** Writes `<prefix>-<timestamp>.json` into `dir` and returns its path. */
export async function writeJsonReport(
  dir: string,
  prefix: string,
  startedAt: string,
  result: object,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.resolve(dir, `${prefix}-${startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Puts `table` between the page's markers, creating the page if it is missing. */
export async function updateDocsTable(docsPath: string, table: string): Promise<void> {
  let page = '# Benchmarks\n';
  try {
    page = await readFile(docsPath, 'utf8');
  } catch {
    await mkdir(path.dirname(docsPath), { recursive: true });
  }
  await writeFile(docsPath, replaceBetweenMarkers(page, table));
}
