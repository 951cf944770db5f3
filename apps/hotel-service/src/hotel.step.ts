import { Injectable } from '@nestjs/common';
import { SagaStepParticipant, StepContext } from '@app/saga-core';
import { CancelHotel, ReserveHotel, HotelReserved } from '@app/trip-api';
import { HotelReservationService } from './hotel-reservation.service';

/**
 * The hotel step of the trip, in both styles: the kit calls it for the saga's command and for
 * the choreography's event, in the message's local transaction.
 */
@Injectable()
export class HotelStep implements SagaStepParticipant<ReserveHotel, HotelReserved, CancelHotel> {
  constructor(private readonly reservations: HotelReservationService) {}

  run(request: ReserveHotel, ctx: StepContext): Promise<HotelReserved> {
    return this.reservations.reserve(ctx.manager, request);
  }

  undo(request: CancelHotel, ctx: StepContext): Promise<void> {
    return this.reservations.cancel(ctx.manager, request.bookingId);
  }
}
