import { Injectable } from '@nestjs/common';
import { CommandContext, CommandHandler, validatePayload } from '@app/saga-core';
import {
  FlightEndpoints,
  FlightReserved,
  runTripCompensation,
  runTripStep,
  TripCommandDto,
} from '@app/trip-api';
import { ReserveFlightDto } from './dto/reserve-flight.dto';
import { FlightReservationService } from './flight-reservation.service';

/** The saga's commands to this service: validate, apply the booking's fault, delegate. */
@Injectable()
export class FlightCommandHandler {
  constructor(private readonly reservations: FlightReservationService) {}

  @CommandHandler(FlightEndpoints.reserve)
  reserve(payload: unknown, ctx: CommandContext): Promise<FlightReserved> {
    const command = validatePayload(ReserveFlightDto, payload);
    return runTripStep('flight', command.fault, ctx, () =>
      this.reservations.reserve(ctx.manager, command),
    );
  }

  @CommandHandler(FlightEndpoints.cancel)
  cancel(payload: unknown, ctx: CommandContext): Promise<void> {
    const command = validatePayload(TripCommandDto, payload);
    return runTripCompensation('flight', command.fault, () =>
      this.reservations.cancel(ctx.manager, command.bookingId),
    );
  }
}
