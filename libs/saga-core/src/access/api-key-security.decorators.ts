import { applyDecorators } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

/** The OpenAPI scheme of the read key (`READ_API_KEY`). */
export const READ_KEY_SCHEME = 'read-api-key';
/** The OpenAPI scheme of the operator keys (`OPERATOR_API_KEYS`, `OPERATOR_API_KEY`). */
export const OPERATOR_KEY_SCHEME = 'operator-api-key';

/**
 * The OpenAPI security of a read: the read key or an operator key. The schemes are defined by
 * the app's document (`read-api-key`, `operator-api-key`, both the `X-API-Key` header).
 */
export function ApiReadKey(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiSecurity(READ_KEY_SCHEME), ApiSecurity(OPERATOR_KEY_SCHEME));
}

/** The OpenAPI security of an operator action: an operator key only. */
export function ApiOperatorKey(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiSecurity(OPERATOR_KEY_SCHEME));
}
