import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ensureDatabase, LOCAL_SOCKET_DIRS, localDatabaseUrl } from '@app/platform';
import { createTestDatabase, openDataSource, TestDatabase } from '../support/postgres';

/** Whether this session came in through a Unix socket (no client address) or over TCP. */
const OVER_SOCKET = 'SELECT inet_client_addr() IS NULL AS socket, current_database() AS db';

/**
 * The apps' default database URL: through the local server's Unix socket when it has one.
 * Both drivers the apps use (TypeORM's pool and the raw `pg` clients of the engine and the
 * kit) and the boot's database creation must take it, and must really use the socket.
 */
describe('the default database URL of a local server', () => {
  const hasSocket = LOCAL_SOCKET_DIRS.some((dir) => existsSync(`${dir}/.s.PGSQL.5432`));
  let db: TestDatabase;
  let name: string;
  let url: string;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    // Made over TCP, then named through the default URL: the database the boot would use.
    db = await createTestDatabase('socket');
    name = `${db.name}_boot`;
    url = localDatabaseUrl(name);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client
      .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      .finally(() => client.end());
    await db.dispose();
  });

  it('names the socket exactly when this machine has one', () => {
    expect(url.includes('%2F')).toBe(hasSocket);
  });

  it('creates the database, migrates and serves TypeORM through it', async () => {
    await ensureDatabase(url);
    dataSource = await openDataSource(url, []);
    const [row] = await dataSource.query<{ socket: boolean; db: string }[]>(OVER_SOCKET);
    expect(row).toEqual({ socket: hasSocket, db: name });
  });

  it('serves a raw pg client through it', async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ socket: boolean; db: string }>(OVER_SOCKET);
      expect(rows[0]).toEqual({ socket: hasSocket, db: name });
    } finally {
      await client.end();
    }
  });
});
