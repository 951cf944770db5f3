import { InMemoryInbox } from './in-memory-inbox';
import { InMemoryOutboxStore } from './in-memory-outbox.store';
import { InMemoryTransport } from './in-memory.transport';
import { inboxContract } from './inbox.contract';
import { messageTransportContract } from './message-transport.contract';
import { outboxStoreContract } from './outbox-store.contract';

inboxContract('InMemoryInbox', async () => {
  const inbox = new InMemoryInbox();
  return { inbox, pendingOutbox: () => inbox.outbox.pendingCount() };
});

outboxStoreContract('InMemoryOutboxStore', async () => {
  const outbox = new InMemoryOutboxStore();
  return { outbox, write: async (messages) => outbox.enqueue(messages) };
});

messageTransportContract('InMemoryTransport', async () => ({ transport: new InMemoryTransport() }));
