import { Injectable } from '@nestjs/common';
import { CommandContext, CommandHandler, validatePayload } from '@app/saga-core';
import {
  HotelEndpoints,
  HotelReserved,
  runTripCompensation,
  runTripStep,
  TripCommandDto,
} from '@app/trip-api';
import { ReserveHotelDto } from './dto/reserve-hotel.dto';
import { HotelReservationService } from './hotel-reservation.service';

/** The saga's commands to this service: validate, apply the booking's fault, delegate. */
@Injectable()
export class HotelCommandHandler {
  constructor(private readonly reservations: HotelReservationService) {}

  @CommandHandler(HotelEndpoints.reserve)
  reserve(payload: unknown, ctx: CommandContext): Promise<HotelReserved> {
    const command = validatePayload(ReserveHotelDto, payload);
    return runTripStep('hotel', command.fault, ctx, () =>
      this.reservations.reserve(ctx.manager, command),
    );
  }

  @CommandHandler(HotelEndpoints.cancel)
  cancel(payload: unknown, ctx: CommandContext): Promise<void> {
    const command = validatePayload(TripCommandDto, payload);
    return runTripCompensation('hotel', command.fault, () =>
      this.reservations.cancel(ctx.manager, command.bookingId),
    );
  }
}
