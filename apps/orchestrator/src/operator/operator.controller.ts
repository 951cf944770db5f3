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
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiOperatorKey,
  OperatorAccessGuard,
  OperatorName,
  SagaEngine,
  SagaInstance,
  needsAttention,
  SagaStateError,
} from '@app/saga-core';
import { isBookingId } from '../booking/booking-id';
import { BookingView, toBookingView } from '../booking/booking.view';
import { OperatorRequestDto } from './operator-request.dto';
import { AttentionQuery } from './attention.query';

@ApiTags('operator')
@ApiOperatorKey()
@ApiResponse({ status: 401, description: 'Missing or wrong operator API key' })
@UseGuards(OperatorAccessGuard)
@Controller()
export class OperatorController {
  constructor(private readonly engine: SagaEngine) {}

  @Post('bookings/:id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a running booking: what it did is undone' })
  @ApiResponse({ status: 409, description: 'The booking is not running any more' })
  cancel(
    @Param('id') id: string,
    @Body() body: OperatorRequestDto,
    @OperatorName() operator: string,
  ): Promise<BookingView> {
    return this.act(id, () => this.engine.cancel(id, { operator, reason: body.reason }));
  }

  @Post('bookings/:id/retry-compensation')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry the compensations of a COMPENSATION_FAILED booking' })
  @ApiResponse({ status: 409, description: 'The booking has no failed compensation to retry' })
  retry(
    @Param('id') id: string,
    @Body() body: OperatorRequestDto,
    @OperatorName() operator: string,
  ): Promise<BookingView> {
    const by = { operator, reason: body.reason };
    return this.act(id, () => this.engine.retryCompensation(id, by));
  }

  @Get('operator/attention')
  @ApiOperation({
    summary:
      'Bookings that need an operator: COMPENSATION_FAILED, or PENDING with no change for a while',
  })
  async attention(@Query() query: AttentionQuery): Promise<BookingView[]> {
    const sagas = await needsAttention(this.engine, {
      stuckSeconds: query.stuckSeconds ?? 60,
      limit: query.limit ?? 100,
    });
    return sagas.map(toBookingView);
  }

  private async act(id: string, action: () => Promise<SagaInstance | null>): Promise<BookingView> {
    try {
      const saga = isBookingId(id) ? await action() : null;
      if (!saga) throw new NotFoundException(`booking ${id} not found`);
      return toBookingView(saga);
    } catch (error) {
      if (error instanceof SagaStateError) throw new ConflictException(error.message);
      throw error;
    }
  }
}
