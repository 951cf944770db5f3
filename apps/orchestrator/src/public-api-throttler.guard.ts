import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { METRICS_TARGETS_PATH } from './observability/metrics-targets';

/** Probes, not clients: a scraper or a load balancer must never be turned away. */
const UNTHROTTLED = new Set(['/health', '/metrics', METRICS_TARGETS_PATH]);

/** The rate limit of the public API (`THROTTLE_LIMIT` per `THROTTLE_TTL_SECONDS` per client). */
@Injectable()
export class PublicApiThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return UNTHROTTLED.has(request.routeOptions.url ?? '') || super.shouldSkip(context);
  }
}
