import { randomBytes } from 'node:crypto';
import { addVhost, deleteVhost, rabbitmqctl } from '../../scripts/support/rabbitmq-admin';

export { queueDepth, rabbitmqctl } from '../../scripts/support/rabbitmq-admin';
export type { QueueDepth } from '../../scripts/support/rabbitmq-admin';

export interface TestVhost {
  vhost: string;
  /** `amqp://guest:guest@127.0.0.1:5672/<vhost>`, the vhost URL-encoded. */
  url: string;
  dispose(): Promise<void>;
}

/** A fresh vhost that guest may use fully, so a test file shares no queue with another. */
export async function createTestVhost(): Promise<TestVhost> {
  const vhost = `saga_test_${randomBytes(6).toString('hex')}`;
  const url = await addVhost(vhost);
  return { vhost, url, dispose: () => deleteVhost(vhost) };
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

/** Every queue of the vhost, of any type, by name: to show that nothing declared one. */
export async function listQueues(vhost: string): Promise<string[]> {
  const output = await rabbitmqctl('list_queues', '-p', vhost, 'name', '--formatter', 'json');
  return (JSON.parse(output) as { name: string }[]).map((row) => row.name).sort();
}
