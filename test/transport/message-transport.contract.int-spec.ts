import { RabbitMqTransport } from '@app/saga-core/transport/rabbitmq/rabbitmq.transport';
import { messageTransportContract } from '@app/saga-core/testing';
import { createTestVhost } from '../support/rabbitmq-vhost';

/** The transport contract the in-memory transport also keeps, on a vhost of this run's own. */
messageTransportContract('RabbitMqTransport', async () => {
  const vhost = await createTestVhost();
  const transport = new RabbitMqTransport({ url: vhost.url, connectionName: 'transport-contract' });
  await transport.init();
  return {
    transport,
    async dispose() {
      await transport.close();
      await vhost.dispose();
    },
  };
});
