import { StepEventRefs } from '../definition/choreography-topology';
import { DEFAULT_COMPENSATION_RETRY, RetryPolicy } from '../definition/retry-policy';
import { SagaDefinition } from '../definition/saga-definition';
import { SagaSpec } from '../definition/saga-spec';
import { DefinitionError } from '../errors/definition.error';
import { ChoreographyDefinition } from './choreography-definition';
import { ChoreographyStepSpec, EventRef } from '../definition/choreography-spec';
import { EventEndpoint } from '../transport/event-message';

export * from '../definition/choreography-topology';

type Fold<Data> = (data: Data, payload: unknown) => Data;

/** A step's events as endpoints, and how its success event folds into the saga's data. */
export type StepEvents<Data> = { [K in keyof StepEventRefs]: EventEndpoint<unknown> } & {
  fold?: Fold<Data>;
};

interface DraftStep<Data> {
  spec: Partial<ChoreographyStepSpec> & { name: string };
  fold: Fold<Data>;
  onlyIf?: (data: Data) => boolean;
  parallel?: boolean;
}

/** How `stepsOf` takes the saga's steps. */
export interface StepsOfOptions {
  /**
   * Run the saga's parallel groups (`inParallel`) in parallel here too. Off by default, so a
   * choreography version built before groups ran on events keeps running them in order.
   */
  parallel?: boolean;
}

const ref = (e: EventEndpoint<unknown>): EventRef => ({ exchange: e.exchange, type: e.type });

/**
 * The choreography DSL: which event starts the saga, which one cancels it, and for each step
 * the four events that say how it went and the one that asks for its undo again.
 *
 * ```ts
 * defineChoreography<Trip>('trip-booking-choreography', 1)
 *   .startsWith(TripEvents.bookingRequested, (trip) => trip)
 *   .cancelledWith(TripEvents.cancellationRequested, (trip, reason) => ({ ...trip, reason }))
 *   .step('flight')
 *   .succeededOn(TripEvents.flightReserved, (trip, e) => ({ ...trip, flightPrice: e.flightPrice }))
 *   .failedOn(TripEvents.flightReservationFailed)
 *   .compensatedOn(TripEvents.flightCancelled)
 *   .compensationFailedOn(TripEvents.flightCancellationFailed)
 *   .compensationRequestedWith(TripEvents.flightCancellationRequested)
 *   .step('hotel') ...
 *   .build();
 * ```
 */
export class ChoreographyDefinitionBuilder<Data> {
  private start?: { event: EventRef; payload: (data: Data) => unknown };
  private cancel?: { event: EventRef; payload: (data: Data, reason: string) => unknown };
  private readonly steps: DraftStep<Data>[] = [];
  private timeoutMs = 5_000;

  constructor(
    private readonly name: string,
    private readonly version: number,
  ) {}

  /** The default time a step's outcome may take before the saga is cancelled. */
  withDefaultTimeout(timeoutMs: number): this {
    this.timeoutMs = timeoutMs;
    return this;
  }

  startsWith<P>(event: EventEndpoint<P>, payload: (data: Data) => P): this {
    this.start = { event: ref(event), payload };
    return this;
  }

  cancelledWith<P>(event: EventEndpoint<P>, payload: (data: Data, reason: string) => P): this {
    this.cancel = { event: ref(event), payload };
    return this;
  }

  /**
   * The steps of a saga definition, run on events: the saga's step order, names, timeouts,
   * undo retries and optional steps (their `onlyIf`), with each step's events taken from
   * `events` (keyed by step name). Step i then runs on the success of step i−1 and undoes on
   * the failure or undo of step i+1, passing over the optional steps between that do not run
   * (see `choreographyTopology`). A bare spec has no predicates: pass the definition. Steps
   * the saga runs in parallel (`inParallel`) run here one after another, in step order,
   * unless `options.parallel` is set: then they start together here too.
   */
  stepsOf(
    definition: SagaDefinition<Data> | SagaSpec,
    events: Readonly<Record<string, StepEvents<Data>>>,
    options: StepsOfOptions = {},
  ): this {
    const saga = 'spec' in definition ? definition.spec : definition;
    const handlers = 'spec' in definition ? definition.handlers : [];
    saga.steps.forEach((step, i) => {
      const e = events[step.name];
      if (!e) throw new DefinitionError(`${this.name}: step ${step.name} has no events`);
      const builder = this.step(step.name)
        .succeededOn(e.succeeded, e.fold)
        .failedOn(e.failed)
        .compensatedOn(e.compensated)
        .compensationFailedOn(e.compensationFailed)
        .compensationRequestedWith(e.compensationRequested)
        .withTimeout(step.timeoutMs)
        .withCompensationRetry(step.compensationRetry);
      const onlyIf = handlers[i]?.onlyIf;
      if (onlyIf) builder.onlyIf(onlyIf);
      if (options.parallel && step.parallel) builder.inParallel();
    });
    const unknown = Object.keys(events).find((n) => !saga.steps.some((s) => s.name === n));
    if (unknown)
      throw new DefinitionError(`${this.name}: ${unknown} is not a step of ${saga.name}`);
    return this;
  }

  step(name: string): ChoreographyStepBuilder<Data> {
    const draft: DraftStep<Data> = { spec: { name }, fold: (data) => data };
    this.steps.push(draft);
    return new ChoreographyStepBuilder(this, draft);
  }

  build(): ChoreographyDefinition<Data> {
    const { start, cancel } = this;
    if (!start || !cancel)
      throw new DefinitionError(`${this.name}: a start and a cancel event are required`);
    if (this.steps.length === 0) throw new DefinitionError(`${this.name} has no steps`);
    if (this.steps[0].parallel) {
      const first = this.steps[0].spec.name;
      throw new DefinitionError(
        `${this.name}: step ${first} has no step before it to run alongside`,
      );
    }
    const steps = this.steps.map((d) => this.complete(d));
    const folds = this.steps.map((d) => d.fold);
    const predicates = this.steps.map((d) => d.onlyIf);
    const types = [
      start.event,
      cancel.event,
      ...steps.flatMap((s) => [
        s.succeeded,
        s.failed,
        s.compensated,
        s.compensationFailed,
        s.compensationRequested,
      ]),
    ].map((e) => e.type);
    const duplicate = types.find((t, i) => types.indexOf(t) !== i);
    if (duplicate) throw new DefinitionError(`${this.name}: event ${duplicate} is used twice`);
    return Object.freeze({
      spec: {
        style: 'choreography' as const,
        name: this.name,
        version: this.version,
        start: start.event,
        cancel: cancel.event,
        steps,
      },
      handlers: {
        startPayload: start.payload,
        cancelPayload: cancel.payload,
        onSucceeded: (stepIndex: number, data: Data, payload: unknown) =>
          folds[stepIndex](data, payload),
        isActive: (stepIndex: number, data: Data) => predicates[stepIndex]?.(data) ?? true,
      },
    });
  }

  private complete(draft: DraftStep<Data>): ChoreographyStepSpec {
    const { name, succeeded, failed, compensated, compensationFailed } = draft.spec;
    if (!succeeded || !failed || !compensated || !compensationFailed) {
      throw new DefinitionError(`${this.name}: step ${name} needs its four outcome events`);
    }
    // Without it a stalled undo chain could only be waited on: the saga would never end.
    const { compensationRequested } = draft.spec;
    if (!compensationRequested) {
      throw new DefinitionError(`${this.name}: step ${name} needs its undo request event`);
    }
    return {
      name,
      timeoutMs: draft.spec.timeoutMs ?? this.timeoutMs,
      succeeded,
      failed,
      compensated,
      compensationFailed,
      compensationRequested,
      compensationRetry: draft.spec.compensationRetry ?? DEFAULT_COMPENSATION_RETRY,
      // Absent, not false, so that the specs of choreographies without one stay as stored.
      ...(draft.onlyIf ? { optional: true as const } : {}),
      ...(draft.parallel ? { parallel: true as const } : {}),
    };
  }
}

/** Configures one step of a choreography. */
export class ChoreographyStepBuilder<Data> {
  constructor(
    private readonly parent: ChoreographyDefinitionBuilder<Data>,
    private readonly draft: DraftStep<Data>,
  ) {}

  succeededOn<P>(event: EventEndpoint<P>, fold?: (data: Data, payload: P) => Data): this {
    this.draft.spec.succeeded = ref(event);
    if (fold) this.draft.fold = fold as Fold<Data>;
    return this;
  }

  failedOn(event: EventEndpoint<unknown>): this {
    this.draft.spec.failed = ref(event);
    return this;
  }

  compensatedOn(event: EventEndpoint<unknown>): this {
    this.draft.spec.compensated = ref(event);
    return this;
  }

  compensationFailedOn(event: EventEndpoint<unknown>): this {
    this.draft.spec.compensationFailed = ref(event);
    return this;
  }

  /**
   * The event the tracker publishes to ask this step's participant for its undo, when the
   * undo it waits for does not come in time (its payload is the cancel event's).
   */
  compensationRequestedWith(event: EventEndpoint<unknown>): this {
    this.draft.spec.compensationRequested = ref(event);
    return this;
  }

  /** How the tracker retries this step's undo; by default `DEFAULT_COMPENSATION_RETRY`. */
  withCompensationRetry(policy: Partial<RetryPolicy> & { maxAttempts: number }): this {
    if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
      throw new DefinitionError(`step ${this.draft.spec.name}: maxAttempts must be at least 1`);
    }
    this.draft.spec.compensationRetry = { ...DEFAULT_COMPENSATION_RETRY, ...policy };
    return this;
  }

  withTimeout(timeoutMs: number): this {
    if (!(timeoutMs > 0))
      throw new DefinitionError(`step ${this.draft.spec.name}: timeout must be > 0`);
    this.draft.spec.timeoutMs = timeoutMs;
    return this;
  }

  /**
   * Runs the step only for a saga whose data satisfies `predicate` (see the saga DSL's
   * `onlyIf`): decided once by the tracker at the start, and on each event's data by the
   * participants, so it must read only fields that no step changes.
   */
  onlyIf(predicate: (data: Data) => boolean): this {
    this.draft.onlyIf = predicate;
    return this;
  }

  /**
   * Starts the step together with the step before it (see the saga DSL's `inParallel`): the
   * step after the group works once every step of the group that runs has succeeded.
   */
  inParallel(): this {
    this.draft.parallel = true;
    return this;
  }

  step(name: string): ChoreographyStepBuilder<Data> {
    return this.parent.step(name);
  }

  build(): ChoreographyDefinition<Data> {
    return this.parent.build();
  }
}

export function defineChoreography<Data>(
  name: string,
  version: number,
): ChoreographyDefinitionBuilder<Data> {
  return new ChoreographyDefinitionBuilder<Data>(name, version);
}
