import { FaultHooks } from '../../model/fault-hooks';

export interface RabbitMqTransportOptions {
  /** Where fault injection plugs in (`FaultPoint.AFTER_COMMIT_BEFORE_ACK`); none by default. */
  faults?: FaultHooks;
  /** e.g. `amqp://guest:guest@localhost:5672/%2F`; the vhost is the URL's path. */
  url: string;
  /** Shown in the broker's connection list (`user_provided_name`), e.g. `flight-service`. */
  connectionName?: string;
  /**
   * Redeliveries (requeues) of a message before the broker dead-letters it: a message is
   * delivered at most `deliveryLimit + 1` times. Default 5. Every process declaring the same
   * queue must use the same value, or the broker refuses the second declaration.
   */
  deliveryLimit?: number;
  /** AMQP heartbeat. Default 5. */
  heartbeatSeconds?: number;
  /** Pause between reconnect attempts. Default 1. */
  reconnectDelaySeconds?: number;
  /** How long `init()` waits for the first connection before it fails. Default 10 000. */
  connectTimeoutMs?: number;
  /** A publish not confirmed within this time is rejected (the outbox retries it). Default 30 000. */
  publishTimeoutMs?: number;
}
