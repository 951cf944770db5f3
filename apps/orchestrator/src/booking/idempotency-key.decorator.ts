import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { headerOf, HttpRequest, SafeTextPipe } from '@app/saga-core';

/**
 * The longest `Idempotency-Key` accepted. A key is a client's short name for one request, not
 * data; anything longer is refused with a 400 before it reaches the unique index, whose entries
 * PostgreSQL caps at about 2.7 kB.
 */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

const check = new SafeTextPipe({ name: 'Idempotency-Key', maxLength: IDEMPOTENCY_KEY_MAX_LENGTH });

/**
 * The request's `Idempotency-Key`, trimmed; undefined when absent or blank. A key that is too
 * long or holds what text may not (see `unsafeTextReason`) is a 400. `@Headers()` runs no pipes.
 */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const raw = headerOf(context.switchToHttp().getRequest<HttpRequest>(), 'idempotency-key');
    return check.transform(raw?.trim() || undefined);
  },
);
