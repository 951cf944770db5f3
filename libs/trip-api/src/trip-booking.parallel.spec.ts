import { SagaStatus, StepStatus } from '@app/saga-core';
import { SagaUnitTest } from '@app/saga-core/testing';
import { CarEndpoints, FlightEndpoints, HotelEndpoints, PaymentEndpoints, TripBooking } from '.';
import { TRIP_BOOKING_SAGA_VERSION, tripBookingSaga } from './trip-booking.saga';

const trip = (car = true): TripBooking => ({
  bookingId: 'b-1',
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 2 },
  hotel: { hotelId: 'HT-200', nights: 3, rooms: 1 },
  ...(car ? { car: { carClass: 'compact', days: 2 } } : {}),
});

const saga = () => SagaUnitTest.of(tripBookingSaga(5_000, 3));

describe('trip booking saga, version 3: flight, hotel and car in parallel', () => {
  it('is the version new bookings start on, with hotel and car beside the flight', () => {
    expect(TRIP_BOOKING_SAGA_VERSION).toBe(3);
    const steps = tripBookingSaga(5_000, 3).spec.steps;
    expect(steps.map((s) => [s.name, s.parallel ?? false])).toEqual([
      ['flight', false],
      ['hotel', true],
      ['car', true],
      ['payment', false],
    ]);
    expect(tripBookingSaga(5_000, 2).spec.steps.some((s) => s.parallel)).toBe(false);
  });

  it('reserves the three at once and charges what they priced once all have replied', () => {
    saga()
      .givenStarted(trip())
      .expectCommands(FlightEndpoints.reserve, HotelEndpoints.reserve, CarEndpoints.reserve)
      .andReplySuccessTo(CarEndpoints.reserve, { price: 90 })
      .andReplySuccessTo(HotelEndpoints.reserve, { price: 360 })
      .expectNoCommand()
      .andReplySuccessTo(FlightEndpoints.reserve, { price: 500 })
      .expectCommand(PaymentEndpoints.charge, { customerId: 'cust-1', amount: 950 })
      .andReplySuccess({ customerId: 'cust-1', amount: 950 })
      .expectStatus(SagaStatus.CONFIRMED);
  });

  it('reserves flight and hotel at once for a booking without a car', () => {
    saga()
      .givenStarted(trip(false))
      .expectCommands(FlightEndpoints.reserve, HotelEndpoints.reserve)
      .andReplySuccessTo(HotelEndpoints.reserve, { price: 360 })
      .andReplySuccessTo(FlightEndpoints.reserve, { price: 500 })
      .expectCommand(PaymentEndpoints.charge, { amount: 860 })
      .andReplySuccess()
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({ car: StepStatus.INACTIVE });
  });

  it('cancels the car, then the flight, when the hotel is sold out', () => {
    saga()
      .givenStarted(trip())
      .andReplyFailureTo(HotelEndpoints.reserve, 'SOLD_OUT')
      .expectNoCommand()
      .andReplySuccessTo(FlightEndpoints.reserve, { price: 500 })
      .andReplySuccessTo(CarEndpoints.reserve, { price: 90 })
      .expectCommand(CarEndpoints.cancel, { bookingId: 'b-1' })
      .andReplySuccess()
      .expectCommand(FlightEndpoints.cancel, { bookingId: 'b-1' })
      .andReplySuccess()
      .expectNoCommand()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        flight: StepStatus.COMPENSATED,
        hotel: StepStatus.FAILED,
        car: StepStatus.COMPENSATED,
        payment: StepStatus.SKIPPED,
      });
  });

  it('undoes car, hotel and flight in that order when payment is declined', () => {
    saga()
      .givenStarted(trip())
      .andReplySuccessTo(FlightEndpoints.reserve, { price: 500 })
      .andReplySuccessTo(HotelEndpoints.reserve, { price: 360 })
      .andReplySuccessTo(CarEndpoints.reserve, { price: 90 })
      .andReplyFailure('INSUFFICIENT_FUNDS')
      .expectUndoChain(CarEndpoints.cancel, HotelEndpoints.cancel, FlightEndpoints.cancel)
      .expectStatus(SagaStatus.CANCELLED);
  });

  it('undoes a reservation whose answer never came, once its deadline passes', () => {
    saga()
      .givenStarted(trip(false))
      .andReplySuccessTo(HotelEndpoints.reserve, { price: 360 })
      .andTimerFires()
      .expectSteps({ flight: StepStatus.TIMED_OUT })
      .expectUndoChain(HotelEndpoints.cancel, FlightEndpoints.cancel)
      .expectStatus(SagaStatus.CANCELLED);
  });
});
