export * from './saga-unit-test';
export * from './choreography-unit-test';
export * from './in-memory-outbox.store';
export * from './in-memory-inbox';
export * from './in-memory.transport';
export * from './in-memory-saga.store';
export { InMemorySagaTransaction } from './in-memory-saga.transaction';
export * from './contract-fixtures';
export * from './saga-store.contract';
