import { ChoreographyUnitTest } from '../testing/choreography-unit-test';
import { eventsOf } from '../testing/optional-steps.fixture';
import { defineChoreography } from './choreography-definition.builder';

/*
 * A choreography with a parallel group, for the tracker's specs: p, then a, b and c at once
 * (c only with a car; b's deadline shorter), then d. Each success folds in its step's price.
 */

export interface Trip {
  car: boolean;
  prices: Record<string, number>;
}

export const e = {
  start: eventsOf('start').succeeded,
  cancel: eventsOf('cancel').succeeded,
  p: eventsOf('p'),
  a: eventsOf('a'),
  b: eventsOf('b'),
  c: eventsOf('c'),
  d: eventsOf('d'),
};

export function groupChoreography(maxAttempts = 2) {
  const builder = defineChoreography<Trip>('pabcd', 1)
    .withDefaultTimeout(5_000)
    .startsWith(e.start, (data) => data)
    .cancelledWith(e.cancel, (data) => data);
  for (const name of ['p', 'a', 'b', 'c', 'd'] as const) {
    const step = builder
      .step(name)
      .succeededOn(e[name].succeeded, (data, payload) => ({
        ...data,
        prices: { ...data.prices, ...(payload as Trip).prices },
      }))
      .failedOn(e[name].failed)
      .compensatedOn(e[name].compensated)
      .compensationFailedOn(e[name].compensationFailed)
      .compensationRequestedWith(e[name].compensationRequested)
      .withCompensationRetry({ maxAttempts, initialDelayMs: 100, jitter: false });
    if (name === 'b' || name === 'c') step.inParallel();
    if (name === 'b') step.withTimeout(3_000);
    if (name === 'c') step.onlyIf((data) => data.car);
  }
  return builder.build();
}

export const trip: Trip = { car: true, prices: {} };
export const priced = (...steps: string[]): Trip => ({
  ...trip,
  prices: Object.fromEntries(steps.map((s) => [s, 10])),
});
export const started = (data = trip, maxAttempts = 2) =>
  ChoreographyUnitTest.of(groupChoreography(maxAttempts))
    .givenStarted(data)
    .expectPublished(e.start)
    .whenEvent(e.p.succeeded, priced('p'));
export const waitingFor = (run: ChoreographyUnitTest<Trip>) =>
  run.state.awaiting.map((a) => `${a.stepIndex}:${a.phase}`);
export const story = (run: ChoreographyUnitTest<Trip>) =>
  run.audit.map((a) => (a.step ? `${a.type}:${a.step}` : a.type));
