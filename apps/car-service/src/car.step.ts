import { Injectable } from '@nestjs/common';
import { SagaStepParticipant, StepContext } from '@app/saga-core';
import { CancelCar, CarReserved, ReserveCar } from '@app/trip-api';
import { CarRentalService } from './car-rental.service';

/**
 * The car step of the trip, in both styles: the kit calls it for the saga's command and for
 * the choreography's event, in the message's local transaction.
 */
@Injectable()
export class CarStep implements SagaStepParticipant<ReserveCar, CarReserved, CancelCar> {
  constructor(private readonly rentals: CarRentalService) {}

  run(request: ReserveCar, ctx: StepContext): Promise<CarReserved> {
    return this.rentals.reserve(ctx.manager, request);
  }

  undo(request: CancelCar, ctx: StepContext): Promise<void> {
    return this.rentals.cancel(ctx.manager, request.bookingId);
  }
}
