import { SagaError } from './saga-error';

/** The request is fine but the service has no room for it now: answered 503 with Retry-After. */
export class ServiceBusyError extends SagaError {
  readonly code = 'SERVICE_BUSY';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** By code, so that an error from another copy of this library matches too. */
export function retryAfterOfBusy(error: unknown): number | null {
  const { code, retryAfterSeconds } = (error ?? {}) as {
    code?: unknown;
    retryAfterSeconds?: unknown;
  };
  return code === 'SERVICE_BUSY' && typeof retryAfterSeconds === 'number'
    ? retryAfterSeconds
    : null;
}
