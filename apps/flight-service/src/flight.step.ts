import { Injectable } from '@nestjs/common';
import { SagaStepParticipant, StepContext } from '@app/saga-core';
import { CancelFlight, ReserveFlight, FlightReserved } from '@app/trip-api';
import { FlightReservationService } from './flight-reservation.service';

/**
 * The flight step of the trip, in both styles: the kit calls it for the saga's command and for
 * the choreography's event, in the message's local transaction.
 */
@Injectable()
export class FlightStep implements SagaStepParticipant<
  ReserveFlight,
  FlightReserved,
  CancelFlight
> {
  constructor(private readonly reservations: FlightReservationService) {}

  run(request: ReserveFlight, ctx: StepContext): Promise<FlightReserved> {
    return this.reservations.reserve(ctx.manager, request);
  }

  undo(request: CancelFlight, ctx: StepContext): Promise<void> {
    return this.reservations.cancel(ctx.manager, request.bookingId);
  }
}
