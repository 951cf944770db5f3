import { Injectable } from '@nestjs/common';
import {
  RetryableStepError,
  TerminalStepError,
  CommandContext,
  CommandHandler,
  validatePayload,
} from '@app/saga-core';
import { HotelEndpoints, HotelReserved, TripErrorCode, TripFault } from '@app/trip-api';
import { CancelHotelDto } from './dto/cancel-hotel.dto';
import { ReserveHotelDto } from './dto/reserve-hotel.dto';
import { HotelRefusedError } from './hotel-refused.error';
import { HotelReservationService } from './hotel-reservation.service';

/** The saga's commands to this service: validate, inject the booking's fault, delegate. */
@Injectable()
export class HotelCommandHandler {
  constructor(private readonly reservations: HotelReservationService) {}

  @CommandHandler(HotelEndpoints.reserve)
  async reserve(payload: unknown, ctx: CommandContext): Promise<HotelReserved> {
    const command = validatePayload(ReserveHotelDto, payload);
    if (command.fault === TripFault.FAIL) {
      throw new TerminalStepError(TripErrorCode.INJECTED_FAILURE, 'Injected failure of the hotel');
    }
    const reserved = await this.refusalsAsStepErrors(() =>
      this.reservations.reserve(ctx.manager, command),
    );
    if (command.fault === TripFault.TIMEOUT) ctx.suppressReply();
    return reserved;
  }

  @CommandHandler(HotelEndpoints.cancel)
  async cancel(payload: unknown, ctx: CommandContext): Promise<void> {
    const command = validatePayload(CancelHotelDto, payload);
    if (command.fault === TripFault.FAIL_COMPENSATION) {
      throw new RetryableStepError(
        TripErrorCode.INJECTED_COMPENSATION_FAILURE,
        'Injected failure of the hotel cancellation',
      );
    }
    await this.reservations.cancel(ctx.manager, command.bookingId);
  }

  private async refusalsAsStepErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof HotelRefusedError)
        throw new TerminalStepError(error.code, error.message);
      throw error;
    }
  }
}
