import { Injectable } from '@nestjs/common';
import {
  RetryableStepError,
  TerminalStepError,
  CommandContext,
  CommandHandler,
  validatePayload,
} from '@app/saga-core';
import { FlightEndpoints, FlightReserved, TripErrorCode, TripFault } from '@app/trip-api';
import { CancelFlightDto } from './dto/cancel-flight.dto';
import { ReserveFlightDto } from './dto/reserve-flight.dto';
import { FlightRefusedError } from './flight-refused.error';
import { FlightReservationService } from './flight-reservation.service';

/** The saga's commands to this service: validate, inject the booking's fault, delegate. */
@Injectable()
export class FlightCommandHandler {
  constructor(private readonly reservations: FlightReservationService) {}

  @CommandHandler(FlightEndpoints.reserve)
  async reserve(payload: unknown, ctx: CommandContext): Promise<FlightReserved> {
    const command = validatePayload(ReserveFlightDto, payload);
    if (command.fault === TripFault.FAIL) {
      throw new TerminalStepError(TripErrorCode.INJECTED_FAILURE, 'Injected failure of the flight');
    }
    const reserved = await this.refusalsAsStepErrors(() =>
      this.reservations.reserve(ctx.manager, command),
    );
    if (command.fault === TripFault.TIMEOUT) ctx.suppressReply();
    return reserved;
  }

  @CommandHandler(FlightEndpoints.cancel)
  async cancel(payload: unknown, ctx: CommandContext): Promise<void> {
    const command = validatePayload(CancelFlightDto, payload);
    if (command.fault === TripFault.FAIL_COMPENSATION) {
      throw new RetryableStepError(
        TripErrorCode.INJECTED_COMPENSATION_FAILURE,
        'Injected failure of the flight cancellation',
      );
    }
    await this.reservations.cancel(ctx.manager, command.bookingId);
  }

  private async refusalsAsStepErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FlightRefusedError)
        throw new TerminalStepError(error.code, error.message);
      throw error;
    }
  }
}
