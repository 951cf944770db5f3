import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors, ApiReadKey, ReadAccessGuard, UNREADABLE_REQUEST } from '@app/saga-core';
import type { FastifyReply } from 'fastify';
import { BookingService } from './booking.service';
import { AuditEntryViewDto } from './audit-entry-view.dto';
import { BookingAcceptedDto } from './booking-accepted.dto';
import { BookingViewDto } from './booking-view.dto';
import { AuditView, BookingView } from './booking.view';
import { CreateBookingDto } from './create-booking.dto';
import { GetBookingQuery } from './get-booking.query';
import { IDEMPOTENCY_KEY_MAX_LENGTH, IdempotencyKey } from './idempotency-key.decorator';
import { ListBookingsQuery } from './list-bookings.query';

@ApiTags('bookings')
@ApiReadKey()
@ApiErrors({ 401: 'A read key is configured and no valid key was sent' })
@UseGuards(ReadAccessGuard)
@Controller('bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'createBooking',
    summary: 'Start a trip booking saga',
    description:
      'Starts the booking, orchestrated or choreographed, and answers at once; the saga runs ' +
      'in the background. The same Idempotency-Key with the same body answers with the same ' +
      'booking and starts nothing new.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: `At most one booking per key; at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters, no control characters`,
    schema: { type: 'string', maxLength: IDEMPOTENCY_KEY_MAX_LENGTH },
  })
  @ApiAcceptedResponse({
    description: 'Accepted; the saga runs in the background',
    type: BookingAcceptedDto,
    headers: {
      Location: { description: 'The booking: /bookings/{bookingId}', schema: { type: 'string' } },
    },
  })
  @ApiErrors({
    400: 'Malformed request, each problem listed; nothing stored or sent',
    422: 'Idempotency-Key reused with a different body',
  })
  async create(
    @Body() body: CreateBookingDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<Pick<BookingView, 'bookingId' | 'mode' | 'status'>> {
    const booking = await this.bookings.create(body, idempotencyKey);
    void response.header('Location', `/bookings/${booking.bookingId}`);
    return { bookingId: booking.bookingId, mode: booking.mode, status: booking.status };
  }

  @Get()
  @ApiOperation({
    operationId: 'listBookings',
    summary: 'List bookings, newest first',
    description: 'Optionally only those of one mode or one status',
  })
  @ApiOkResponse({ description: 'The bookings, newest first', type: [BookingViewDto] })
  @ApiErrors({ 400: 'A malformed filter or limit, each problem listed' })
  list(@Query() query: ListBookingsQuery): Promise<BookingView[]> {
    return this.bookings.list(query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getBooking',
    summary: "A booking's status and steps",
    description:
      'With ?wait=<seconds>, answers as soon as the booking has ended, or when the wait runs out',
  })
  @ApiOkResponse({ description: 'The booking', type: BookingViewDto })
  @ApiErrors({ 400: 'A malformed wait', 404: 'Unknown booking' })
  async get(@Param('id') id: string, @Query() query: GetBookingQuery): Promise<BookingView> {
    const booking = await this.bookings.find(id, query.wait);
    if (!booking) throw new NotFoundException(`booking ${id} not found`);
    return booking;
  }

  @Get(':id/audit')
  @ApiOperation({
    operationId: 'getBookingAudit',
    summary: "The saga's audit log, in order",
    description:
      'Every state change, every command or event sent and every reply or event received',
  })
  @ApiOkResponse({ description: 'The audit log, oldest first', type: [AuditEntryViewDto] })
  @ApiErrors({ ...UNREADABLE_REQUEST, 404: 'Unknown booking' })
  async audit(@Param('id') id: string): Promise<AuditView[]> {
    const audit = await this.bookings.audit(id);
    if (!audit) throw new NotFoundException(`booking ${id} not found`);
    return audit;
  }
}
