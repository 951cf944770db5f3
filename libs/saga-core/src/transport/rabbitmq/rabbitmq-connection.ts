import { AmqpConnectionManagerClass } from 'amqp-connection-manager';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { RabbitMqTransportOptions } from './rabbitmq-transport.options';

/** A connection manager that is not connected yet; `connect()` starts it. */
export function createConnectionManager(options: RabbitMqTransportOptions): AmqpConnectionManager {
  return new AmqpConnectionManagerClass(options.url, {
    heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 5,
    reconnectTimeInSeconds: options.reconnectDelaySeconds ?? 1,
    connectionOptions: {
      // amqplib leaves Nagle on, which costs ~40 ms per request/reply round trip.
      noDelay: true,
      clientProperties: { connection_name: options.connectionName ?? 'saga-core' },
    },
  });
}

/** The URL without its password, for error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
