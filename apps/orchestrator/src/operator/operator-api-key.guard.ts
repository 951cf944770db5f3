import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';

/**
 * Operator actions need `OPERATOR_API_KEY`, sent as `X-API-Key` or `Authorization: Bearer`.
 * Both sides are hashed first, so the comparison takes the same time whatever the key's
 * length or content. With no key configured, operator actions are off.
 */
@Injectable()
export class OperatorApiKeyGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(config: ConfigService) {
    const key = config.get<string>('OPERATOR_API_KEY');
    this.expected = key ? digest(key) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new UnauthorizedException('operator actions are disabled: OPERATOR_API_KEY is not set');
    }
    const request = context.switchToHttp().getRequest<Request>();
    const bearer = /^Bearer (.+)$/i.exec(request.header('authorization') ?? '')?.[1];
    const given = request.header('x-api-key') ?? bearer;
    if (!given || !timingSafeEqual(digest(given), this.expected)) {
      throw new UnauthorizedException('a valid operator API key is required (X-API-Key)');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
