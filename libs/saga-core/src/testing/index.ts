export * from './saga-unit-test';
