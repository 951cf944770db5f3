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
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DefinitionError, SagaEngine, SagaInstance, SagaStateError } from '@app/saga-core';
import { isBookingId } from '../booking/booking-id';
import { BookingView, toBookingView } from '../booking/booking.view';
import { OperatorApiKeyGuard } from './operator-api-key.guard';
import { OperatorRequestDto } from './operator-request.dto';
import { AttentionQuery } from './attention.query';
import { AttentionView, listAttention } from './attention.view';

@ApiTags('operator')
@ApiSecurity('operator-api-key')
@ApiResponse({ status: 401, description: 'Missing or wrong operator API key' })
@UseGuards(OperatorApiKeyGuard)
@Controller()
export class OperatorController {
  constructor(private readonly engine: SagaEngine) {}

  @Post('bookings/:id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a running booking: what it did is undone' })
  @ApiResponse({ status: 409, description: 'The booking is not running any more' })
  cancel(@Param('id') id: string, @Body() by: OperatorRequestDto): Promise<BookingView> {
    return this.act(id, () => this.engine.cancel(id, { ...by }));
  }

  @Post('bookings/:id/retry-compensation')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry the compensations of a COMPENSATION_FAILED booking' })
  @ApiResponse({ status: 409, description: 'The booking has no failed compensation to retry' })
  retry(@Param('id') id: string, @Body() by: OperatorRequestDto): Promise<BookingView> {
    return this.act(id, () => this.engine.retryCompensation(id, { ...by }));
  }

  @Post('bookings/:id/retry-timer')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Fire again the parked timer of a booking, once what made it throw is fixed',
  })
  @ApiResponse({ status: 409, description: 'The booking has no parked timer' })
  retryTimer(@Param('id') id: string, @Body() by: OperatorRequestDto): Promise<BookingView> {
    return this.act(id, () => this.engine.retryTimer(id, { ...by }));
  }

  @Get('operator/attention')
  @ApiOperation({
    summary:
      'Bookings that need an operator, each with its reason: COMPENSATION_FAILED, a parked ' +
      'timer, or PENDING with no change for a while',
  })
  attention(@Query() query: AttentionQuery): Promise<AttentionView[]> {
    const stuckSince = new Date(Date.now() - (query.stuckSeconds ?? 60) * 1000);
    return listAttention(this.engine, stuckSince, query.limit ?? 100);
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
