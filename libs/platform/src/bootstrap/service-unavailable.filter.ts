import { ArgumentsHost, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Observable, throwError } from 'rxjs';
import { isTransientFailure, retryAfterOfBusy } from '@app/saga-core';

/** What a client is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 5;
/** A request failing this way is expected until the database is back: say so now and then. */
const WARN_EVERY_MS = 10_000;

/**
 * A request that failed because the database cannot be reached (or could not do the work in
 * time: a lock or statement timeout) gets a `503` saying so, with `Retry-After`, instead of a
 * bare `500`: the request was fine, the service is not, and trying again shortly is the right
 * move. So does a request refused for want of room (`ServiceBusyError`: too many open waits).
 * Every other error goes to Nest's usual handling. A saga message's error (an `rpc` host) goes
 * back as it is to the `SagaMessageServer`, which tells a refusal from a retry by it.
 */
@Catch()
export class ServiceUnavailableFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(ServiceUnavailableFilter.name);
  private lastWarnedAt = 0;

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return throwError(() => exception);
    const busy = retryAfterOfBusy(exception);
    if (host.getType() === 'http' && busy !== null) {
      this.answer(host, busy, (exception as Error).message);
      return;
    }
    if (host.getType() !== 'http' || !isTransientFailure(exception)) {
      super.catch(exception, host);
      return;
    }
    if (Date.now() - this.lastWarnedAt >= WARN_EVERY_MS) {
      this.lastWarnedAt = Date.now();
      this.logger.warn(`Answering 503, the database is unreachable: ${String(exception)}`);
    }
    this.answer(
      host,
      RETRY_AFTER_SECONDS,
      'The database cannot be reached right now, or is busy; try again shortly',
    );
  }

  private answer(host: ArgumentsHost, retryAfterSeconds: number, message: string): void {
    const response: unknown = host.switchToHttp().getResponse();
    const http = this.httpAdapterHost?.httpAdapter ?? this.applicationRef;
    if (!http) throw new Error('ServiceUnavailableFilter needs the HTTP adapter');
    http.setHeader(response, 'Retry-After', String(retryAfterSeconds));
    http.reply(
      response,
      { statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
