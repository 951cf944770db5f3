import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TRIP_APPS } from '../../scripts/support/trip-endpoints';
import { AppName, TripSystem } from '../support/trip-system';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const APPS: readonly AppName[] = TRIP_APPS;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface Problem {
  file: string;
  rule: string;
  severity: string;
  message: string;
  where: string;
}

/** A linter's exit status says only that it found something: its JSON says what. */
async function lint(command: string, args: string[]): Promise<string> {
  try {
    return (
      await run(join(ROOT, 'node_modules/.bin', command), args, {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      })
    ).stdout;
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    if (stdout) return stdout;
    throw error;
  }
}

async function redocly(files: string[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const file of files) {
    const out = await lint('redocly', ['lint', file, '--format=json']);
    const report = JSON.parse(out) as {
      problems: {
        ruleId: string;
        severity: string;
        message: string;
        location: { pointer?: string }[];
      }[];
    };
    for (const p of report.problems) {
      problems.push({
        file,
        rule: p.ruleId,
        severity: p.severity,
        message: p.message,
        where: p.location[0]?.pointer ?? '',
      });
    }
  }
  return problems;
}

async function spectral(files: string[]): Promise<Problem[]> {
  const out = await lint('spectral', [
    'lint',
    '-r',
    '.spectral.yaml',
    '-f',
    'json',
    '-q',
    ...files,
  ]);
  const SEVERITY = ['error', 'warn', 'info', 'hint'];
  const results = JSON.parse(out.trim() || '[]') as {
    code: string;
    message: string;
    severity: number;
    path: string[];
    source: string;
  }[];
  return results.map((r) => ({
    file: r.source,
    rule: r.code,
    severity: SEVERITY[r.severity],
    message: r.message,
    where: r.path.join('.'),
  }));
}

describe("every app's OpenAPI document", () => {
  let system: TripSystem;
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  const files: string[] = [];
  const documents = new Map<AppName, Record<string, unknown>>();

  beforeAll(async () => {
    system = await TripSystem.start();
    for (const app of APPS) {
      const response = await system.http(app).get('/docs-json').expect(200);
      const file = join(dir, `${app}.json`);
      writeFileSync(file, JSON.stringify(response.body, null, 2));
      files.push(file);
      documents.set(app, response.body as Record<string, unknown>);
    }
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a success and an error response for every operation, each with its schema', () => {
    const missing: string[] = [];
    for (const [app, document] of documents) {
      const paths = document.paths as Record<string, Record<string, Operation>>;
      for (const [path, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const where = `${app} ${method.toUpperCase()} ${path}`;
          const statuses = Object.keys(operation.responses);
          if (!statuses.some((s) => s.startsWith('2'))) missing.push(`${where}: no 2xx`);
          if (!statuses.some((s) => s.startsWith('4'))) missing.push(`${where}: no 4xx`);
          for (const [status, response] of Object.entries(operation.responses)) {
            const schemas = Object.values(response.content ?? {}).map((c) => c.schema);
            if (schemas.length === 0 || schemas.some((schema) => !schema)) {
              missing.push(`${where}: ${status} has no schema`);
            }
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('defines the key schemes the reads and the operator actions declare, sent as X-API-Key', () => {
    const orchestrator = documents.get('orchestrator') as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    for (const scheme of ['read-api-key', 'operator-api-key']) {
      expect(orchestrator.components.securitySchemes[scheme]).toMatchObject({
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
      });
    }
    expect(orchestrator.paths['/bookings/{id}/cancel'].post.security).toEqual([
      { 'operator-api-key': [] },
    ]);
    expect(orchestrator.paths['/bookings/{id}/audit'].get.security).toEqual([
      { 'read-api-key': [] },
      { 'operator-api-key': [] },
    ]);
  });

  it("answers 400 with Nest's error body to a body it cannot read, on any route, as documented", async () => {
    for (const [app, path] of [
      ['flight', '/flights'],
      ['orchestrator', '/saga-definitions'],
    ] as const) {
      const response = await system
        .http(app)
        .get(path)
        .set('content-type', 'application/json')
        .send('{"not json');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    expect(await redocly(files)).toEqual([]);
  }, 120_000);

  it("passes Spectral's spectral:oas ruleset with no error and no warning", async () => {
    expect(await spectral(files)).toEqual([]);
  }, 120_000);
});
