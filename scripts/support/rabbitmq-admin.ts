import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `rabbitmqctl` (about a second a call) and returns its standard output. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['--quiet', ...args], { timeout: 30_000 });
  return stdout;
}

/** A vhost that guest may use fully, created without the management plugin. */
export async function addVhost(vhost: string): Promise<string> {
  checkName(vhost);
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  return `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`;
}

export async function deleteVhost(vhost: string): Promise<void> {
  await rabbitmqctl('delete_vhost', vhost);
}

/** What a quorum queue holds right now; `total` counts delivered-but-unacked messages too. */
export interface QueueDepth {
  ready: number;
  unacked: number;
  total: number;
}

const QUERIES = ['ready', 'checked_out', 'total']
  .map((q) => `fun rabbit_fifo:query_messages_${q}/1`)
  .join(', ');

/**
 * Reads the queue's own state. `list_queues` would be simpler, but its quorum-queue figures
 * are refreshed only every few seconds, so a fresh 0 there proves nothing.
 */
export async function queueDepth(vhost: string, queue: string): Promise<QueueDepth> {
  checkName(vhost);
  checkName(queue);
  const expression = [
    `{ok, Q} = rabbit_amqqueue:lookup(rabbit_misc:r(<<"${vhost}">>, queue, <<"${queue}">>)),`,
    `[begin {ok, {_, N}, _} = ra:local_query(amqqueue:get_pid(Q), F), N end`,
    ` || F <- [${QUERIES}]].`,
  ].join(' ');
  const [ready, unacked, total] = JSON.parse(await rabbitmqctl('eval', expression)) as number[];
  return { ready, unacked, total };
}

/** Every quorum queue of the vhost with its depth, read the same way in one call. */
export async function vhostQueueDepths(vhost: string): Promise<Record<string, QueueDepth>> {
  checkName(vhost);
  const expression = [
    `[[element(4, amqqueue:get_name(Q))`,
    ` | [begin {ok, {_, N}, _} = ra:local_query(amqqueue:get_pid(Q), F), N end`,
    ` || F <- [${QUERIES}]]]`,
    ` || Q <- rabbit_amqqueue:list(<<"${vhost}">>), amqqueue:get_type(Q) =:= rabbit_quorum_queue].`,
  ].join('');
  const output = await rabbitmqctl('eval', expression);
  // Names come back as Erlang binaries, <<"name">>.
  const rows = JSON.parse(output.replace(/<<"([^"]*)">>/g, '"$1"')) as [
    string,
    number,
    number,
    number,
  ][];
  return Object.fromEntries(
    rows.map(([name, ready, unacked, total]) => [name, { ready, unacked, total }]),
  );
}

/** Client connections to the vhost as the broker sees them: their name and client port. */
export async function vhostConnections(
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

/** Every queue of the vhost, of any type, by name, sorted. */
export async function vhostQueueNames(vhost: string): Promise<string[]> {
  checkName(vhost);
  const output = await rabbitmqctl('list_queues', '-p', vhost, 'name', '--formatter', 'json');
  return (JSON.parse(output) as { name: string }[]).map((row) => row.name).sort();
}

function checkName(name: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`Unsupported name for rabbitmqctl: ${name}`);
}
