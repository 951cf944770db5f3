import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { HttpRequest } from '../http/http-request';
import { ApiKeyAccess } from './api-key-access';

type OperatorRequest = HttpRequest & { sagaOperator?: string };

/**
 * Operator actions need an operator key; with none configured they are off. The guard puts
 * the key's configured name on the request, for `@OperatorName()`: who acted is what the
 * configuration says, never what the request claims.
 */
@Injectable()
export class OperatorAccessGuard implements CanActivate {
  constructor(@Inject(ApiKeyAccess) private readonly access: ApiKeyAccess) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.access.operatorActionsEnabled) {
      throw new UnauthorizedException(
        'operator actions are disabled: no operator key is configured (OPERATOR_API_KEYS)',
      );
    }
    const request = context.switchToHttp().getRequest<OperatorRequest>();
    const { operator } = this.access.identify(request);
    if (operator === null) {
      throw new UnauthorizedException('a valid operator API key is required (X-API-Key)');
    }
    request.sagaOperator = operator;
    return true;
  }
}

/** The name of the operator whose key `OperatorAccessGuard` accepted. */
export const OperatorName = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const name = context.switchToHttp().getRequest<OperatorRequest>().sagaOperator;
  if (!name) throw new Error('@OperatorName() needs OperatorAccessGuard on the route');
  return name;
});
