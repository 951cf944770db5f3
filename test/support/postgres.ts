import { randomBytes } from 'node:crypto';
import { Client, Pool, QueryConfig } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';
import { ensureDatabase, runMigrations } from '@app/platform';

/** The server the integration tests use; each test file gets its own database on it. */
const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  url: string;
  dispose(): Promise<void>;
}

/** Creates `test_<prefix>_<random>`; `dispose` drops it, closing whatever is still connected. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `test_${safePrefix}_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(name);
  await ensureDatabase(url);
  return {
    name,
    url,
    async dispose() {
      const client = new Client({ connectionString: databaseUrl('postgres') });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A DataSource on `url` with `migrations` applied (never `synchronize`). */
export async function openDataSource(
  url: string,
  migrations: (new () => MigrationInterface)[],
  /** Options of node-postgres' pool, as an app passes them (`{ pipeline: true }`). */
  extra?: Record<string, unknown>,
): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations,
    synchronize: false,
    logging: false,
    ...(extra ? { extra } : {}),
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

function databaseUrl(database: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A database of its own for the test file that calls this (inside its `describe`), migrated,
 * with a DataSource open on it: made before the file's tests, dropped after them.
 */
export function useTestDataSource(
  prefix: string,
  migrations: (new () => MigrationInterface)[],
): { readonly dataSource: DataSource } {
  let db: TestDatabase | undefined;
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(prefix);
    dataSource = await openDataSource(db.url, migrations);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.dispose();
  });
  return {
    get dataSource(): DataSource {
      if (!dataSource) throw new Error(`the ${prefix} test database is not open yet`);
      return dataSource;
    },
  };
}

/**
 * The statements (names, or texts) the DataSource's own pool runs while `work` does: the pool
 * is the real one, only watched.
 */
export async function statementsOf<T>(
  dataSource: DataSource,
  work: () => Promise<T>,
): Promise<[T, string[]]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const names: string[] = [];
  const query = pool.query.bind(pool) as (config: QueryConfig) => Promise<unknown>;
  const spy = jest.spyOn(pool, 'query').mockImplementation(((config: QueryConfig) => {
    names.push(config.name ?? config.text);
    return query(config);
  }) as unknown as Pool['query']);
  try {
    return [await work(), names];
  } finally {
    spy.mockRestore();
  }
}
