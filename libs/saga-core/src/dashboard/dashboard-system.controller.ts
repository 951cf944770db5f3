import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { OperatorAccessGuard, OperatorName } from '../access/operator-access.guard';
import { ApiOperatorKey, ApiReadKey } from '../access/api-key-security.decorators';
import { SAGA_DASHBOARD_TAG } from './saga-dashboard.openapi';
import { ReadAccessGuard } from '../access/read-access.guard';
import { QueueNotFoundError } from '../errors/queue-not-found.error';
import { DeadLetter } from '../transport/dead-letters.port';
import { MoveDeadLettersDto } from './dashboard-action.dto';
import { ERROR_SCHEMA, MOVED_SCHEMA, SYSTEM_SCHEMA } from './dashboard-api.schemas';
import { DashboardSystemService, SystemView } from './dashboard-system.service';

const validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true });

@ApiTags(SAGA_DASHBOARD_TAG)
@ApiUnauthorizedResponse({ description: 'No valid key for this', schema: ERROR_SCHEMA })
@UseGuards(ReadAccessGuard)
@Controller('api')
export class DashboardSystemController {
  constructor(private readonly system: DashboardSystemService) {}

  @Get('system')
  @ApiReadKey()
  @ApiOperation({
    summary: "Every app's health, this app's outbox and inbox, dead letters, fault rules",
    description:
      "What the System page shows: each app's /health, the outbox backlog and its oldest " +
      'age, inbox rows, dead letters per queue with their reasons, and active fault rules',
  })
  @ApiOkResponse({ schema: SYSTEM_SCHEMA })
  state(): Promise<SystemView> {
    return this.system.state();
  }

  @Post('dead-letters/:queue/move')
  @ApiOperatorKey()
  @HttpCode(200)
  @UseGuards(OperatorAccessGuard)
  @ApiOperation({
    summary: "Move a queue's dead letters back to it (operator key); audited in their sagas",
    description:
      "All of the queue's dead letters, or only the messageIds given, go back to the queue " +
      "they were dead-lettered from; each move is written to its saga's audit log",
  })
  @ApiOkResponse({ schema: MOVED_SCHEMA })
  @ApiBadRequestResponse({ description: 'No reason given', schema: ERROR_SCHEMA })
  @ApiNotFoundResponse({ description: 'Not a queue of this system', schema: ERROR_SCHEMA })
  async move(
    @Param('queue') queue: string,
    @Body(validation) body: MoveDeadLettersDto,
    @OperatorName() operator: string,
  ): Promise<{ moved: DeadLetter[] }> {
    const by = { operator, reason: body.reason };
    try {
      return { moved: await this.system.moveBack(queue, by, body.messageIds) };
    } catch (error) {
      if (error instanceof QueueNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
