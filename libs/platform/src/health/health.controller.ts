import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SagaHealthIndicator, UNREADABLE_REQUEST } from '@app/saga-core';

const DATABASE_PING_TIMEOUT_MS = 1500;

/** `GET /health`: 200 when the database answers and the broker is connected, 503 otherwise. */
@ApiTags('observability')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly saga: SagaHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Health of the service',
    description: '200 when its database answers and its broker connection is up, 503 otherwise',
  })
  @ApiErrors(UNREADABLE_REQUEST)
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }),
      () => this.broker(),
    ]);
  }

  private broker(): HealthIndicatorResult<'broker'> {
    const indicator = this.indicators.check('broker');
    return this.saga.brokerConnected()
      ? indicator.up()
      : indicator.down({ message: 'not connected' });
  }
}
