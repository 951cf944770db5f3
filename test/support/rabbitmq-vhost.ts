import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestVhost {
  vhost: string;
  /** `amqp://guest:guest@127.0.0.1:5672/<vhost>`, the vhost URL-encoded. */
  url: string;
  dispose(): Promise<void>;
}

/** Runs `rabbitmqctl` (about a second a call) and returns its standard output. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['--quiet', ...args], { timeout: 30_000 });
  return stdout;
}

/** A fresh vhost that guest may use fully, so a test file shares no queue with another. */
export async function createTestVhost(): Promise<TestVhost> {
  const vhost = `saga_test_${randomBytes(6).toString('hex')}`;
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  return {
    vhost,
    url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
    dispose: async () => {
      await rabbitmqctl('delete_vhost', vhost);
    },
  };
}

/** What a quorum queue holds right now; `total` counts delivered-but-unacked messages too. */
export interface QueueDepth {
  ready: number;
  unacked: number;
  total: number;
}

/**
 * Reads the queue's own state. `list_queues` would be simpler, but its quorum-queue figures
 * are refreshed only every few seconds, so a fresh 0 there proves nothing.
 */
export async function queueDepth(vhost: string, queue: string): Promise<QueueDepth> {
  for (const name of [vhost, queue]) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`Unsupported name for rabbitmqctl eval: ${name}`);
  }
  const queries = ['ready', 'checked_out', 'total'].map(
    (q) => `fun rabbit_fifo:query_messages_${q}/1`,
  );
  const expression = [
    `{ok, Q} = rabbit_amqqueue:lookup(rabbit_misc:r(<<"${vhost}">>, queue, <<"${queue}">>)),`,
    `[begin {ok, {_, N}, _} = ra:local_query(amqqueue:get_pid(Q), F), N end`,
    ` || F <- [${queries.join(', ')}]].`,
  ].join(' ');
  const [ready, unacked, total] = JSON.parse(await rabbitmqctl('eval', expression)) as number[];
  return { ready, unacked, total };
}

/** The broker closes every client connection to the vhost, as a network failure would. */
export async function closeVhostConnections(vhost: string): Promise<void> {
  await rabbitmqctl('close_all_connections', '-p', vhost, 'closed by test');
}

/** Client connections to the vhost as the broker sees them: their name and client port. */
export async function listConnections(
  vhost: string,
): Promise<{ name: string | undefined; peerPort: number }[]> {
  const output = await rabbitmqctl(
    'list_connections',
    'client_properties',
    'peer_port',
    'vhost',
    '--formatter',
    'json',
  );
  // client_properties is a list of [key, type, value] triples.
  const rows = JSON.parse(output) as {
    client_properties: [string, string, unknown][];
    peer_port: number;
    vhost: string;
  }[];
  return rows
    .filter((row) => row.vhost === vhost)
    .map((row) => {
      const name = row.client_properties.find(([key]) => key === 'connection_name')?.[2];
      return { name: typeof name === 'string' ? name : undefined, peerPort: row.peer_port };
    });
}
