import { SagaTransport } from '../saga-transport';
import { RabbitMqTransport } from './rabbitmq.transport';
import { RabbitMqTransportOptions } from './rabbitmq-transport.options';

export type RabbitMqSagaTransportOptions = Omit<RabbitMqTransportOptions, 'faults'>;

/**
 * RabbitMQ with quorum queues, publisher confirms and dead-letter queues. The connection is
 * named after the app unless `connectionName` says otherwise; `deliveryLimit` defaults to the
 * module's. `connect` waits for the first connection and fails with the broker's last error.
 */
export function rabbitMqTransport(options: RabbitMqSagaTransportOptions): SagaTransport {
  return {
    name: 'rabbitmq',
    connect: async (context) => {
      const transport = new RabbitMqTransport({
        connectionName: context.serviceName,
        deliveryLimit: context.deliveryLimit,
        ...options,
        faults: context.faults,
      });
      await transport.init();
      return transport;
    },
  };
}
