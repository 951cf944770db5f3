export * from './saga-unit-test';
export * from './choreography-unit-test';
