import { InMemorySagaStore } from './in-memory-saga.store';
import { sagaStoreContract } from './saga-store.contract';

sagaStoreContract('InMemorySagaStore', async () => ({ store: new InMemorySagaStore() }));
