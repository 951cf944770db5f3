import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Observable, catchError, throwError } from 'rxjs';
import { TerminalStepError } from '../errors/terminal-step.error';
import { INVALID_PAYLOAD, validatePayload } from './command-payload.validation';
import { replyErrorOf } from './command-reply.builder';
import { SagaMessageContext } from './saga-message.context';

/**
 * Bound to every saga message handler by `@CommandHandler` and `@EventHandler`, innermost
 * (after the app's global and class interceptors): records on
 * the `SagaMessageContext` what the handler, or a pipe before it, failed with, before any
 * exception filter answers it. A `ValidationPipe`'s `BadRequestException` on a handler whose
 * payload has a DTO is recorded as the refusal the kit's own check gives (`INVALID_PAYLOAD`,
 * with the same message), so the saga compensates as it would without the pipe.
 *
 * A refusal (a `TerminalStepError` or `RetryableStepError`: the step's answer, not a fault)
 * goes on to the app's interceptors and filters as an `RpcException` carrying it, the way Nest
 * expects an answered message to fail, so the default filter does not log it as an error; any
 * other error goes on unchanged.
 */
@Injectable()
export class SagaFailureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx: unknown = context.getType() === 'rpc' ? context.switchToRpc().getContext() : null;
    if (!(ctx instanceof SagaMessageContext)) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        const failure = refusalOf(error, context) ?? error;
        ctx.recordFailure(failure);
        const answered = replyErrorOf(failure) !== null;
        return throwError(() => (answered ? new RpcException(failure as Error) : error));
      }),
    );
  }
}

type Dto = new () => object;

/** A pipe's refusal of the payload, worded as `validatePayload` words it. */
function refusalOf(error: unknown, context: ExecutionContext): TerminalStepError | null {
  if (!(error instanceof BadRequestException)) return null;
  const types: unknown[] =
    Reflect.getMetadata(
      'design:paramtypes',
      context.getClass().prototype as object,
      context.getHandler().name,
    ) ?? [];
  const dto = types[0];
  if (typeof dto !== 'function' || dto === Object) return null;
  try {
    validatePayload(dto as Dto, context.switchToRpc().getData());
  } catch (refusal) {
    if (refusal instanceof TerminalStepError) return refusal;
  }
  // Stricter than the kit's check (`whitelist`…): the pipe's own words.
  const { message } = error.getResponse() as { message?: unknown };
  const said = Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
  return new TerminalStepError(INVALID_PAYLOAD, `${dto.name}: ${said}`);
}

/** The one instance the decorators bind: it keeps no state of its own. */
export const SAGA_FAILURE_INTERCEPTOR = new SagaFailureInterceptor();
