import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { HttpRequest } from '../http/http-request';
import { ApiKeyAccess } from './api-key-access';

/**
 * Reads (the API's views, the audit log, the dashboard) are open until a read key is
 * configured; then they need it, or an operator key.
 */
@Injectable()
export class ReadAccessGuard implements CanActivate {
  constructor(@Inject(ApiKeyAccess) private readonly access: ApiKeyAccess) {}

  canActivate(context: ExecutionContext): boolean {
    const { role } = this.access.identify(context.switchToHttp().getRequest<HttpRequest>());
    if (role === 'none') {
      throw new UnauthorizedException(
        'a valid API key is required (X-API-Key): the read key or an operator key',
      );
    }
    return true;
  }
}
