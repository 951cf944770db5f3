import { CanActivate, ForbiddenException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { faultInjectionEnabled } from '../bootstrap/service-config';

/** `/faults` answers 403 where fault injection is off (production, unless FAULTS_ENABLED=true). */
@Injectable()
export class FaultInjectionGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(config: ConfigService) {
    this.enabled = faultInjectionEnabled(config);
  }

  canActivate(): boolean {
    if (this.enabled) return true;
    throw new ForbiddenException(
      'fault injection is disabled (NODE_ENV=production); set FAULTS_ENABLED=true to allow it',
    );
  }
}
