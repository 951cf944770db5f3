import {
  TRIP_BOOKING_CHOREOGRAPHY,
  TRIP_BOOKING_CHOREOGRAPHY_VERSION,
  tripBookingChoreography,
  tripSagaVersionOf,
} from './trip-booking.choreography';
import { tripBookingDefinitions } from './trip-booking.definitions';
import { TRIP_BOOKING_SAGA, TRIP_BOOKING_SAGA_VERSION, tripBookingSaga } from './trip-booking.saga';

const stepsOf = (definition: { spec: { steps: { name: string }[] } }) =>
  definition.spec.steps.map((step) => step.name);

describe('tripBookingDefinitions', () => {
  it('registers every version of the saga and of the choreography, the latest of each included', () => {
    const refs = tripBookingDefinitions(5_000).map(({ spec }) => `${spec.name} v${spec.version}`);
    const upTo = (latest: number) => Array.from({ length: latest }, (_, i) => i + 1);
    expect(refs).toEqual([
      ...upTo(TRIP_BOOKING_SAGA_VERSION).map((v) => `${TRIP_BOOKING_SAGA} v${v}`),
      ...upTo(TRIP_BOOKING_CHOREOGRAPHY_VERSION).map((v) => `${TRIP_BOOKING_CHOREOGRAPHY} v${v}`),
    ]);
    expect(refs).toContain(`${TRIP_BOOKING_CHOREOGRAPHY} v1`);
    expect(TRIP_BOOKING_CHOREOGRAPHY_VERSION).toBe(TRIP_BOOKING_SAGA_VERSION + 2);
  });

  it('keeps the steps bookings were stored with under the first versions', () => {
    // Bookings started on these versions are pinned to them: their steps never change.
    expect(stepsOf(tripBookingSaga(5_000, 1))).toEqual(['flight', 'hotel', 'payment']);
    expect(stepsOf(tripBookingChoreography(5_000, 1))).toEqual(['flight', 'hotel', 'payment']);
    expect(stepsOf(tripBookingChoreography(5_000, 2))).toEqual(['flight', 'hotel', 'payment']);
  });

  it("runs each choreography version on its saga version's steps", () => {
    expect([1, 2, 3, 4, 5].map(tripSagaVersionOf)).toEqual([1, 1, 2, 3, 3]);
    for (let v = 1; v <= TRIP_BOOKING_CHOREOGRAPHY_VERSION; v++) {
      const saga = tripBookingSaga(5_000, tripSagaVersionOf(v));
      expect(stepsOf(tripBookingChoreography(5_000, v))).toEqual(stepsOf(saga));
    }
    expect(stepsOf(tripBookingChoreography(5_000))).toEqual(stepsOf(tripBookingSaga(5_000)));
  });

  it('runs the parallel group in parallel from choreography version 5 on, in order before', () => {
    const parallel = (v: number) =>
      tripBookingChoreography(5_000, v).spec.steps.map((s) => Boolean(s.parallel));
    expect(parallel(4)).toEqual([false, false, false, false]);
    expect(parallel(5)).toEqual([false, true, true, false]);
    expect(tripBookingSaga(5_000).spec.steps.map((s) => Boolean(s.parallel))).toEqual(parallel(5));
  });

  it('refuses a saga version it does not have', () => {
    expect(() => tripBookingSaga(5_000, 0)).toThrow(RangeError);
    expect(() => tripBookingSaga(5_000, TRIP_BOOKING_SAGA_VERSION + 1)).toThrow(RangeError);
  });
});
