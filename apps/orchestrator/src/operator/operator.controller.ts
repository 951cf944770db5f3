import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiErrors,
  ApiOperatorKey,
  DefinitionError,
  needsAttention,
  OperatorAccessGuard,
  OperatorName,
  OperatorRequest,
  SagaEngine,
  SagaInstance,
  SagaStateError,
} from '@app/saga-core';
import { isBookingId } from '../booking/booking-id';
import { BookingViewDto } from '../booking/booking-view.dto';
import { BookingView, toBookingView } from '../booking/booking.view';
import { AttentionQuery } from './attention.query';
import { AttentionViewDto } from './attention-view.dto';
import { AttentionView, toAttentionView } from './attention.view';
import { OperatorRequestDto } from './operator-request.dto';

/** Who acts is the holder of the operator key; the body only says why. */
const by = (operator: string, body: OperatorRequestDto): OperatorRequest => ({
  operator,
  reason: body.reason,
});

@ApiTags('operator')
@ApiOperatorKey()
@ApiErrors({ 401: 'Missing or wrong operator API key' })
@UseGuards(OperatorAccessGuard)
@Controller()
export class OperatorController {
  constructor(private readonly engine: SagaEngine) {}

  @Post('bookings/:id/cancel')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'cancelBooking',
    summary: 'Cancel a running booking: what it did is undone',
    description: "Written to the audit log with the key holder's name and the reason",
  })
  @ApiAcceptedResponse({
    description: 'Cancelling: its compensations are sent',
    type: BookingViewDto,
  })
  @ApiErrors({
    400: 'Malformed request, each problem listed',
    404: 'Unknown booking',
    409: 'The booking is not running any more',
  })
  cancel(
    @Param('id') id: string,
    @Body() body: OperatorRequestDto,
    @OperatorName() operator: string,
  ): Promise<BookingView> {
    return this.act(id, () => this.engine.cancel(id, by(operator, body)));
  }

  @Post('bookings/:id/retry-compensation')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'retryBookingCompensation',
    summary: 'Retry the compensations of a COMPENSATION_FAILED booking',
    description: 'Once the cause is fixed; written to the audit log with who asked and why',
  })
  @ApiAcceptedResponse({ description: 'Compensating again', type: BookingViewDto })
  @ApiErrors({
    400: 'Malformed request, each problem listed',
    404: 'Unknown booking',
    409: 'The booking has no failed compensation to retry',
  })
  retry(
    @Param('id') id: string,
    @Body() body: OperatorRequestDto,
    @OperatorName() operator: string,
  ): Promise<BookingView> {
    return this.act(id, () => this.engine.retryCompensation(id, by(operator, body)));
  }

  @Post('bookings/:id/retry-timer')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'retryBookingTimer',
    summary: 'Fire again the parked timer of a booking',
    description:
      'Once what made it throw is fixed; written to the audit log with who asked and why',
  })
  @ApiAcceptedResponse({ description: 'The timer is due again', type: BookingViewDto })
  @ApiErrors({
    400: 'Malformed request, each problem listed',
    404: 'Unknown booking',
    409: 'The booking has no parked timer',
  })
  retryTimer(
    @Param('id') id: string,
    @Body() body: OperatorRequestDto,
    @OperatorName() operator: string,
  ): Promise<BookingView> {
    return this.act(id, () => this.engine.retryTimer(id, by(operator, body)));
  }

  @Get('operator/attention')
  @ApiOperation({
    operationId: 'listBookingsNeedingAttention',
    summary: 'Bookings that need an operator',
    description:
      'Each with its reason and the action that addresses it: COMPENSATION_FAILED, a parked ' +
      'timer, or PENDING with no change for stuckSeconds',
  })
  @ApiOkResponse({ description: 'The bookings that need an operator', type: [AttentionViewDto] })
  @ApiErrors({ 400: 'A malformed stuckSeconds or limit, each problem listed' })
  async attention(@Query() query: AttentionQuery): Promise<AttentionView[]> {
    const found = await needsAttention(this.engine, {
      stuckSeconds: query.stuckSeconds ?? 60,
      limit: query.limit ?? 100,
    });
    return found.map(toAttentionView);
  }

  private async act(id: string, action: () => Promise<SagaInstance | null>): Promise<BookingView> {
    try {
      const saga = isBookingId(id) ? await action() : null;
      if (!saga) throw new NotFoundException(`booking ${id} not found`);
      return toBookingView(saga);
    } catch (error) {
      // A saga this instance cannot run (its version is not registered here) is a conflict too.
      if (error instanceof SagaStateError || error instanceof DefinitionError) {
        throw new ConflictException(error.message);
      }
      throw error;
    }
  }
}
