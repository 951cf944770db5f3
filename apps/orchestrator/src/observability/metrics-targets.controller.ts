import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UNREADABLE_REQUEST } from '@app/saga-core';
import { METRICS_TARGETS, METRICS_TARGETS_PATH, PrometheusTargetGroup } from './metrics-targets';

class PrometheusTargetGroupDto implements PrometheusTargetGroup {
  @ApiProperty({ type: [String], example: ['flight-service:3001'] })
  targets!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { participant: 'flight', app: 'flight-service' },
  })
  labels!: Record<string, string>;
}

/** `GET /metrics/targets`: the participants' apps, for Prometheus to scrape (`http_sd_configs`). */
@ApiTags('observability')
@Controller()
export class MetricsTargetsController {
  constructor(@Inject(METRICS_TARGETS) private readonly groups: PrometheusTargetGroup[]) {}

  @Get(METRICS_TARGETS_PATH)
  @ApiOperation({
    operationId: 'listMetricsTargets',
    summary: 'Prometheus targets of the participants',
    description:
      "Prometheus' HTTP service discovery: each participant's app, as the orchestrator reaches it",
  })
  @ApiOkResponse({
    description: 'One target group per participant',
    type: [PrometheusTargetGroupDto],
  })
  @ApiErrors(UNREADABLE_REQUEST)
  list(): PrometheusTargetGroup[] {
    return this.groups;
  }
}
