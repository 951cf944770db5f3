import { SagaStorage } from '../persistence/saga-storage';
import { SagaTransport } from '../transport/saga-transport';
import { InMemoryInbox } from './in-memory-inbox';
import { InMemoryOutboxStore, InMemoryOutboxOptions } from './in-memory-outbox.store';
import { InMemorySagaStore } from './in-memory-saga.store';
import { InMemoryTransport, InMemoryTransportOptions } from './in-memory.transport';

/** What the in-memory storage opened, for a test to look into. */
export interface InMemoryStorageHandle {
  store?: InMemorySagaStore;
  inbox?: InMemoryInbox;
  outbox?: InMemoryOutboxStore;
}

/**
 * Sagas, timers, the inbox and the outbox in this process's memory, with the PostgreSQL
 * adapters' rules (see the contract suites): for unit tests of a whole app with
 * `SagaModule.forRoot({ store: inMemoryStorage(), transport: inMemoryTransport() })`. Nothing
 * is pruned and nothing survives the process. Pass a handle to reach the stores it opened.
 */
export function inMemoryStorage(
  handle: InMemoryStorageHandle = {},
  options: InMemoryOutboxOptions = {},
): SagaStorage {
  return {
    name: 'in-memory',
    open: () => {
      const outbox = new InMemoryOutboxStore(options);
      handle.outbox = outbox;
      handle.store = new InMemorySagaStore(outbox);
      handle.inbox = new InMemoryInbox(outbox);
      return { store: handle.store, inbox: handle.inbox, outbox };
    },
  };
}

/**
 * A broker in this process's memory (`InMemoryTransport`): queues, exchanges, redelivery and
 * dead letters as the RabbitMQ adapter has them. Pass a transport to look into it from a test;
 * the module closes it when the app shuts down.
 */
export function inMemoryTransport(
  transport: InMemoryTransport | InMemoryTransportOptions = {},
): SagaTransport {
  return {
    name: 'in-memory',
    connect: (context) =>
      transport instanceof InMemoryTransport
        ? transport
        : new InMemoryTransport({ deliveryLimit: context.deliveryLimit, ...transport }),
  };
}
