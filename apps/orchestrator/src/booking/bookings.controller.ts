import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiReadKey, ReadAccessGuard } from '@app/saga-core';
import type { Response } from 'express';
import { BookingService } from './booking.service';
import { AuditView, BookingView } from './booking.view';
import { CreateBookingDto } from './create-booking.dto';
import { GetBookingQuery } from './get-booking.query';
import { ListBookingsQuery } from './list-bookings.query';

@ApiTags('bookings')
@ApiReadKey()
@ApiResponse({ status: 401, description: 'A read key is configured and no valid key was sent' })
@UseGuards(ReadAccessGuard)
@Controller('bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a trip booking saga' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiResponse({ status: 202, description: 'Accepted; the saga runs in the background' })
  @ApiResponse({ status: 400, description: 'Malformed request; nothing stored or sent' })
  @ApiResponse({ status: 422, description: 'Idempotency-Key reused with a different body' })
  async create(
    @Body() body: CreateBookingDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Pick<BookingView, 'bookingId' | 'mode' | 'status'>> {
    const booking = await this.bookings.create(body, idempotencyKey?.trim() || undefined);
    response.location(`/bookings/${booking.bookingId}`);
    return { bookingId: booking.bookingId, mode: booking.mode, status: booking.status };
  }

  @Get()
  @ApiOperation({ summary: 'List bookings, newest first' })
  list(@Query() query: ListBookingsQuery): Promise<BookingView[]> {
    return this.bookings.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: "A booking's status and steps",
    description:
      'With ?wait=<seconds>, answers as soon as the booking has ended, or when the wait runs out',
  })
  @ApiResponse({ status: 404, description: 'Unknown booking' })
  async get(@Param('id') id: string, @Query() query: GetBookingQuery): Promise<BookingView> {
    const booking = await this.bookings.find(id, query.wait);
    if (!booking) throw new NotFoundException(`booking ${id} not found`);
    return booking;
  }

  @Get(':id/audit')
  @ApiOperation({ summary: "The saga's audit log, in order" })
  @ApiResponse({ status: 404, description: 'Unknown booking' })
  async audit(@Param('id') id: string): Promise<AuditView[]> {
    const audit = await this.bookings.audit(id);
    if (!audit) throw new NotFoundException(`booking ${id} not found`);
    return audit;
  }
}
