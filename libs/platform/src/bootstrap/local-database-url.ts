import { existsSync } from 'node:fs';

/**
 * Where a local PostgreSQL keeps its Unix socket: Debian and Ubuntu's packages, then the
 * server's own default (also Homebrew's on macOS). The same places, in the same order, as
 * `psql` looks when it is given no host.
 */
export const LOCAL_SOCKET_DIRS: readonly string[] = ['/var/run/postgresql', '/tmp'];

/** The port the local server listens on, by the name of its socket file. */
const LOCAL_PORT = 5432;

/**
 * The default database URL of an app: the local server through its Unix socket when it has
 * one, as `psql` connects with no host, or `localhost:5432` over TCP. A round trip through the
 * socket costs the app and the server fewer system calls than one through the loopback: see
 * docs/benchmarks.md. An explicit `DATABASE_URL` always wins over this.
 */
export function localDatabaseUrl(
  database: string,
  socketExists: (path: string) => boolean = existsSync,
): string {
  const dir = LOCAL_SOCKET_DIRS.find((d) => socketExists(`${d}/.s.PGSQL.${LOCAL_PORT}`));
  if (dir === undefined) return `postgres://postgres@localhost:${LOCAL_PORT}/${database}`;
  return `postgres://postgres@${encodeURIComponent(dir)}:${LOCAL_PORT}/${database}`;
}
