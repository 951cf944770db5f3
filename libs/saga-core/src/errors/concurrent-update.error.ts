import { SagaError } from './saga-error';

/** Another transaction changed the saga since it was read: the caller retries from a fresh read. */
export class ConcurrentUpdateError extends SagaError {
  readonly code = 'CONCURRENT_UPDATE';
}
