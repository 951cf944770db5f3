import { applyDecorators } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

/**
 * The OpenAPI security of a read: the read key or an operator key. The schemes are defined by
 * the app's document (`read-api-key`, `operator-api-key`, both the `X-API-Key` header).
 */
export function ApiReadKey(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiSecurity('read-api-key'), ApiSecurity('operator-api-key'));
}

/** The OpenAPI security of an operator action: an operator key only. */
export function ApiOperatorKey(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiSecurity('operator-api-key'));
}
