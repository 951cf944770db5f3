import { localDatabaseUrl } from './local-database-url';

describe('localDatabaseUrl', () => {
  const only = (path: string) => (candidate: string) => candidate === path;

  it("goes through Debian's socket directory when the server has a socket there", () => {
    expect(localDatabaseUrl('flight_service', only('/var/run/postgresql/.s.PGSQL.5432'))).toBe(
      'postgres://postgres@%2Fvar%2Frun%2Fpostgresql:5432/flight_service',
    );
  });

  it("goes through /tmp, the server's own default, when only that socket exists", () => {
    expect(localDatabaseUrl('hotel_service', only('/tmp/.s.PGSQL.5432'))).toBe(
      'postgres://postgres@%2Ftmp:5432/hotel_service',
    );
  });

  it('prefers the first directory when both have a socket, as psql does', () => {
    expect(localDatabaseUrl('x', () => true)).toBe(
      'postgres://postgres@%2Fvar%2Frun%2Fpostgresql:5432/x',
    );
  });

  it('falls back to TCP on localhost:5432 when no socket is found', () => {
    expect(localDatabaseUrl('saga_orchestrator', () => false)).toBe(
      'postgres://postgres@localhost:5432/saga_orchestrator',
    );
  });

  it('ignores a socket of another port', () => {
    expect(localDatabaseUrl('x', only('/var/run/postgresql/.s.PGSQL.5433'))).toBe(
      'postgres://postgres@localhost:5432/x',
    );
  });
});
