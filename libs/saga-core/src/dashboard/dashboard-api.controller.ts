import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { HttpRequest } from '../http/http-request';
import { Access, ApiKeyAccess } from '../access/api-key-access';
import { OperatorAccessGuard, OperatorName } from '../access/operator-access.guard';
import { ApiOperatorKey, ApiReadKey } from '../access/api-key-security.decorators';
import { SAGA_DASHBOARD_TAG } from './saga-dashboard.openapi';
import { ReadAccessGuard } from '../access/read-access.guard';
import { SagaEngine } from '../engine/saga-engine';
import { SagaInstance } from '../model/saga-instance';
import { SagaStateError } from '../errors/saga-state.error';
import { DashboardActionDto } from './dashboard-action.dto';
import {
  CONFIG_SCHEMA,
  ERROR_SCHEMA,
  RUN_DETAIL_SCHEMA,
  RUN_SCHEMA,
  RUNS_PAGE_SCHEMA,
  SESSION_SCHEMA,
} from './dashboard-api.schemas';
import { DashboardConfig, DashboardRunsService, RunsPage } from './dashboard-runs.service';
import { parseRunQuery } from './run-query.parser';
import { RunDetailView, RunView, toRunView } from './run.view';
import { SAGA_DASHBOARD_OPTIONS, SagaDashboardOptions } from './saga-dashboard.options';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Its own pipe, so an app without a global one still answers bad input with a 400. */
const validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true });
const unauthorized = { description: 'No valid key for this', schema: ERROR_SCHEMA };
const notFound = { description: 'Unknown saga', schema: ERROR_SCHEMA };

@ApiTags(SAGA_DASHBOARD_TAG)
@ApiUnauthorizedResponse(unauthorized)
@UseGuards(ReadAccessGuard)
@Controller('api')
export class DashboardApiController {
  constructor(
    private readonly runs: DashboardRunsService,
    private readonly engine: SagaEngine,
    private readonly access: ApiKeyAccess,
    @Inject(SAGA_DASHBOARD_OPTIONS) private readonly options: SagaDashboardOptions,
  ) {}

  @Get('session')
  @ApiReadKey()
  @ApiOperation({
    summary: 'What the key sent lets the dashboard do',
    description:
      'Whether the request carries no key, the read key or an operator key (and whose), ' +
      'whether reads need a key here, and whether operator actions are enabled at all',
  })
  @ApiOkResponse({ schema: SESSION_SCHEMA })
  session(@Req() request: HttpRequest): Access & {
    readKeyRequired: boolean;
    operatorActionsEnabled: boolean;
  } {
    return {
      ...this.access.identify(request),
      readKeyRequired: this.access.readKeyRequired,
      operatorActionsEnabled: this.access.operatorActionsEnabled,
    };
  }

  @Get('config')
  @ApiReadKey()
  @ApiOperation({
    summary: 'The filters the Runs page offers, and the stored definitions',
    description:
      'The statuses, modes and data fields a run can be filtered by, and every stored ' +
      'definition by name and version',
  })
  @ApiOkResponse({ schema: CONFIG_SCHEMA })
  config(): Promise<DashboardConfig> {
    return this.runs.config();
  }

  @Get('runs')
  @ApiReadKey()
  @ApiOperation({
    summary: 'Sagas, newest first, with their counts by status',
    description:
      'Filters: status, definition, id, from, to (ISO times), label.<key>, data.<field>; ' +
      'limit (1–200, default 50) and after (the nextCursor of the previous page)',
  })
  @ApiOkResponse({ schema: RUNS_PAGE_SCHEMA })
  @ApiBadRequestResponse({ description: 'A filter is malformed', schema: ERROR_SCHEMA })
  list(@Query() query: Record<string, unknown>): Promise<RunsPage> {
    return this.runs.list(parseRunQuery(query, this.options.dataFields ?? []));
  }

  @Get('attention')
  @ApiReadKey()
  @ApiOperation({
    summary: 'Sagas that need an operator: COMPENSATION_FAILED, or running and unchanged a while',
    description:
      'The same list as /operator/attention: failed compensations, parked timers and sagas ' +
      'that have not changed for longer than the stuck threshold, oldest first',
  })
  @ApiOkResponse({ schema: { type: 'array', items: RUN_SCHEMA } })
  attention(): Promise<RunView[]> {
    return this.runs.attention();
  }

  @Get('runs/:id')
  @ApiReadKey()
  @ApiOperation({
    summary: 'One saga: its steps, audit log, timeline, sequence diagram, actions',
    description:
      'Everything the Run page draws: the steps with their attempts and errors, the audit ' +
      'log in order, and which operator actions are allowed now (and why not)',
  })
  @ApiOkResponse({ schema: RUN_DETAIL_SCHEMA })
  @ApiNotFoundResponse(notFound)
  async detail(@Param('id') id: string): Promise<RunDetailView> {
    const detail = UUID.test(id) ? await this.runs.detail(id) : null;
    if (!detail) throw new NotFoundException(`saga ${id} not found`);
    return detail;
  }

  @Post('runs/:id/cancel')
  @ApiOperatorKey()
  @HttpCode(202)
  @UseGuards(OperatorAccessGuard)
  @ApiOperation({
    summary: 'Cancel a running saga: what it did is undone (operator key)',
    description:
      'The saga stops going forward and compensates its completed steps in reverse order; ' +
      "the operator's name (from the key) and the reason are written to the audit log",
  })
  @ApiAcceptedResponse({ schema: RUN_SCHEMA })
  @ApiBadRequestResponse({ description: 'No reason given', schema: ERROR_SCHEMA })
  @ApiNotFoundResponse(notFound)
  @ApiConflictResponse({ description: 'The saga is not running forward', schema: ERROR_SCHEMA })
  cancel(
    @Param('id') id: string,
    @Body(validation) body: DashboardActionDto,
    @OperatorName() operator: string,
  ): Promise<RunView> {
    return this.act(id, () => this.engine.cancel(id, { operator, reason: body.reason }));
  }

  @Post('runs/:id/retry-compensation')
  @ApiOperatorKey()
  @HttpCode(202)
  @UseGuards(OperatorAccessGuard)
  @ApiOperation({
    summary: 'Retry the failed compensations of a saga (operator key)',
    description:
      'Only for a COMPENSATION_FAILED saga: the failed undo steps run again; who and why ' +
      'are written to the audit log',
  })
  @ApiAcceptedResponse({ schema: RUN_SCHEMA })
  @ApiBadRequestResponse({ description: 'No reason given', schema: ERROR_SCHEMA })
  @ApiNotFoundResponse(notFound)
  @ApiConflictResponse({ description: 'No failed compensation to retry', schema: ERROR_SCHEMA })
  retry(
    @Param('id') id: string,
    @Body(validation) body: DashboardActionDto,
    @OperatorName() operator: string,
  ): Promise<RunView> {
    const by = { operator, reason: body.reason };
    return this.act(id, () => this.engine.retryCompensation(id, by));
  }

  private async act(id: string, action: () => Promise<SagaInstance | null>): Promise<RunView> {
    try {
      const saga = UUID.test(id) ? await action() : null;
      if (!saga) throw new NotFoundException(`saga ${id} not found`);
      return toRunView(saga);
    } catch (error) {
      if (error instanceof SagaStateError) throw new ConflictException(error.message);
      throw error;
    }
  }
}
