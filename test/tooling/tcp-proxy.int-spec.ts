import { Client } from 'pg';
import { TcpProxy } from '../../scripts/support/tcp-proxy';

const POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

async function connect(url: string): Promise<Client> {
  const client = new Client(url);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('TcpProxy in front of the real PostgreSQL', () => {
  let proxy: TcpProxy;

  beforeEach(async () => {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
  });
  afterEach(() => proxy.close());

  it('carries a connection while up', async () => {
    const client = await connect(proxy.rewrite(POSTGRES));
    expect((await client.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    expect(proxy.openConnections).toBe(1);
    await client.end();
  });

  it('resets open connections and refuses new ones while cut, as a stopped server would', async () => {
    const client = await connect(proxy.rewrite(POSTGRES));
    proxy.cut();
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await expect(connect(proxy.rewrite(POSTGRES))).rejects.toThrow();
    expect(proxy.isDown).toBe(true);
  });

  it('accepts connections again once restored', async () => {
    proxy.cut();
    proxy.restore();
    const client = await connect(proxy.rewrite(POSTGRES));
    expect((await client.query<{ y: number }>('SELECT 2 AS y')).rows).toEqual([{ y: 2 }]);
    await client.end();
  });
});
