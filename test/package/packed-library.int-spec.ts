import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { createTestVhost, TestVhost } from '../support/rabbitmq-vhost';
import { readmeSamples, ReadmeSamples } from './readme-samples';

/**
 * The library as a user gets it: built, packed, installed from its tarball into a fresh Nest
 * app outside this repository, which then runs the README's five-minute start, file for file,
 * on a database and a vhost of its own.
 */
const exec = promisify(execFile);
const ROOT = join(__dirname, '../..');
const LIBRARY = join(ROOT, 'libs/saga-core');
const SETUP_TIMEOUT_MS = 300_000;
const RUN_TIMEOUT_MS = 60_000;

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface Packed {
  filename: string;
  files: { path: string }[];
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const rootPackage = readJson<PackageJson>(join(ROOT, 'package.json'));
const libraryPackage = readJson<PackageJson>(join(LIBRARY, 'package.json'));
const samples: ReadmeSamples = readmeSamples(readFileSync(join(LIBRARY, 'README.md'), 'utf8'));

/** The environment of a user's shell: nothing of the `npm test` that runs this file. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('npm_') && key !== 'NODE_PATH' && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, ...extra };
}

async function run(file: string, args: string[], cwd: string, env = userEnv()): Promise<string> {
  try {
    const { stdout } = await exec(file, args, {
      cwd,
      env,
      maxBuffer: 16 * 1024 * 1024,
      timeout: SETUP_TIMEOUT_MS,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`,
    );
  }
}

/** The repository's own version of a package: the one its tests run on. */
function pinned(name: string): string {
  const version = rootPackage.dependencies?.[name] ?? rootPackage.devDependencies?.[name];
  if (!version) throw new Error(`${name} is in the README's install line but not in package.json`);
  return `${name}@${version}`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('the packed library, installed into a fresh Nest app', () => {
  let workDir: string;
  let appDir: string;
  let packed: Packed;
  let database: TestDatabase;
  let vhost: TestVhost;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'nest-saga-package-'));
    appDir = join(workDir, 'shop');
    const [db, vh] = await Promise.all([
      createTestDatabase('packed_library'),
      createTestVhost(),
      run('npm', ['run', '--silent', 'build:lib'], ROOT, process.env),
    ]);
    database = db;
    vhost = vh;
    const packOutput = await run('npm', ['pack', '--json', '--pack-destination', workDir], LIBRARY);
    [packed] = JSON.parse(packOutput) as Packed[];

    mkdirSync(appDir);
    writeFileSync(
      join(appDir, 'package.json'),
      JSON.stringify({ name: 'shop', version: '0.0.0', private: true }, null, 2),
    );
    for (const file of samples.files) {
      mkdirSync(dirname(join(appDir, file.path)), { recursive: true });
      writeFileSync(join(appDir, file.path), file.text);
    }
    const tarball = join(workDir, packed.filename);
    const install = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
    const packages = samples.install.map((name) =>
      name === libraryPackage.name ? tarball : pinned(name),
    );
    await run('npm', [...install, ...packages], appDir);
    await run('npm', [...install, '--save-dev', ...samples.devInstall.map(pinned)], appDir);
    await run(join(appDir, 'node_modules/.bin/tsc'), ['-p', '.'], appDir);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await database?.dispose();
    await vhost?.dispose();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('builds JS and declarations, with no path alias of this repository left in them', () => {
    const emitted = filesUnder(join(LIBRARY, 'dist')).filter((f) => /\.(js|d\.ts)$/.test(f));
    expect(emitted.length).toBeGreaterThan(100);
    const aliased = emitted.filter((f) => readFileSync(f, 'utf8').includes("'@app/"));
    expect(aliased.map((f) => relative(LIBRARY, f))).toEqual([]);
  });

  it('imports nothing of the repository beside it: no @app/platform, no @app/trip-api', () => {
    const sources = filesUnder(join(LIBRARY, 'src')).filter((f) => f.endsWith('.ts'));
    const importing = sources.filter((f) => /from '@app\//.test(readFileSync(f, 'utf8')));
    expect(importing.map((f) => relative(LIBRARY, f))).toEqual([]);
  });

  it('packs the build, its two entries, the dashboard assets and the README, and no source or spec', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
        'dist/dashboard/assets/index.html',
      ]),
    );
    expect(paths.filter((p) => p.startsWith('src/') || p.includes('.spec.'))).toEqual([]);
  });

  it('has every code sample of its README run here, and installs exactly its required peers', () => {
    expect(samples.unrun).toEqual([]);
    const meta = libraryPackage.peerDependenciesMeta ?? {};
    const required = Object.keys(libraryPackage.peerDependencies ?? {}).filter(
      (name) => !meta[name]?.optional,
    );
    expect([...samples.install].sort()).toEqual([libraryPackage.name, ...required].sort());
    expect(samples.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['tsconfig.json', 'src/app.module.ts', 'src/main.ts']),
    );
  });

  it(
    'runs the README as it is: the definition on the testing entry, then each saga to its end',
    async () => {
      const env = userEnv({ DATABASE_URL: database.url, AMQP_URL: vhost.url });
      const orders: { orderId: string; released: boolean }[] = [];
      expect(samples.runs.filter((r) => r.prints).length).toBe(2);
      for (const sample of samples.runs) {
        const stdout = await run(process.execPath, [sample.script, ...sample.args], appDir, env);
        if (!sample.prints) continue;
        const printed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { orderId: string };
        expect(printed.orderId).toMatch(/^order-\d+$/);
        expect({ ...printed, orderId: 'order-…' }).toEqual(sample.prints);
        orders.push({ orderId: printed.orderId, released: sample.prints.status === 'CANCELLED' });
      }
      // The participant's own state: the declined order's reservation was released, not the other.
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ order_id: string; released: boolean }>(
          'SELECT order_id, released FROM stock_reservations ORDER BY order_id',
        );
        expect(rows.map((r) => ({ orderId: r.order_id, released: r.released }))).toEqual(orders);
      } finally {
        await client.end();
      }
    },
    RUN_TIMEOUT_MS * 2,
  );
});
