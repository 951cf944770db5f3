import { randomBytes } from 'node:crypto';
import { addVhost, deleteVhost, rabbitmqctl } from '../../scripts/support/rabbitmq-admin';

export {
  queueDepth,
  rabbitmqctl,
  vhostConnections as listConnections,
  vhostQueueNames as listQueues,
} from '../../scripts/support/rabbitmq-admin';
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
