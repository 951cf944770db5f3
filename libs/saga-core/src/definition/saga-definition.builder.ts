import { DefinitionError } from '../errors/definition.error';
import { CommandEndpoint } from './command-endpoint';
import { DEFAULT_COMPENSATION_RETRY, NO_RETRY, RetryPolicy } from './retry-policy';
import { SagaDefinition, StepHandlers } from './saga-definition';
import { parallelGroupOf, StepKind, StepSpec } from './saga-spec';

/** Defaults a definition applies to each step unless the step says otherwise. */
export interface SagaDefaults {
  timeoutMs: number;
  retry: RetryPolicy;
  compensationRetry: RetryPolicy;
}

const BUILT_IN_DEFAULTS: SagaDefaults = {
  timeoutMs: 5_000,
  retry: NO_RETRY,
  compensationRetry: DEFAULT_COMPENSATION_RETRY,
};

interface DraftStep<Data> {
  spec: Partial<StepSpec> & { name: string };
  handlers: Partial<StepHandlers<Data>>;
}

/**
 * The saga DSL, after Eventuate's:
 *
 * ```ts
 * defineSaga<Trip>('trip-booking', 1)
 *   .step('flight')
 *   .invokeParticipant(FlightEndpoints.reserve, (trip) => ({ ... }))
 *   .onReply((trip, reply) => ({ ...trip, flightPrice: reply.price }))
 *   .withCompensation(FlightEndpoints.cancel, (trip) => ({ ... }))
 *   .step('hotel') ...
 *   .step('car')
 *   .invokeParticipant(CarEndpoints.rent, (trip) => ({ ... }))
 *   .withCompensation(CarEndpoints.cancel, (trip) => ({ ... }))
 *   .onlyIf((trip) => trip.car !== undefined)
 *   .build();
 * ```
 */
export class SagaDefinitionBuilder<Data> {
  private readonly steps: DraftStep<Data>[] = [];
  private defaults: SagaDefaults = BUILT_IN_DEFAULTS;

  constructor(
    private readonly name: string,
    private readonly version: number,
  ) {}

  /** Defaults for every step that does not set its own. */
  withDefaults(defaults: Partial<SagaDefaults>): this {
    this.defaults = { ...this.defaults, ...defaults };
    return this;
  }

  step(name: string): StepBuilder<Data> {
    const draft: DraftStep<Data> = { spec: { name }, handlers: {} };
    this.steps.push(draft);
    return new StepBuilder<Data>(this, draft);
  }

  build(): SagaDefinition<Data> {
    if (!this.name || !Number.isInteger(this.version) || this.version < 1) {
      throw new DefinitionError('a saga needs a name and a positive integer version');
    }
    if (this.steps.length === 0) throw new DefinitionError(`saga ${this.name} has no steps`);
    const specs = this.steps.map((draft) => this.complete(draft));
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) throw new DefinitionError(`step ${spec.name} is declared twice`);
      names.add(spec.name);
    }
    assertPivotOrder(this.name, specs);
    assertParallelGroups(this.name, specs);
    return Object.freeze({
      spec: { name: this.name, version: this.version, steps: specs },
      handlers: this.steps.map((draft) => draft.handlers as StepHandlers<Data>),
    });
  }

  private complete(draft: DraftStep<Data>): StepSpec {
    const { spec, handlers } = draft;
    if (!spec.command || !handlers.buildCommand) {
      throw new DefinitionError(`step ${spec.name} does not invoke a participant`);
    }
    const compensation = spec.compensation ?? null;
    return {
      name: spec.name,
      kind: spec.kind ?? (compensation ? StepKind.COMPENSATABLE : StepKind.PIVOT),
      command: spec.command,
      compensation,
      timeoutMs: spec.timeoutMs ?? this.defaults.timeoutMs,
      retry: spec.retry ?? this.defaults.retry,
      retryOnTimeout: spec.retryOnTimeout ?? false,
      compensationRetry: spec.compensationRetry ?? this.defaults.compensationRetry,
      // Absent, not false, so that the specs of definitions without one stay as stored.
      ...(handlers.onlyIf ? { optional: true as const } : {}),
      ...(spec.parallel ? { parallel: true as const } : {}),
    };
  }
}

/** A compensatable step after a step that cannot be undone would leave that one stranded. */
function assertPivotOrder(saga: string, specs: StepSpec[]): void {
  let pastPivot: string | null = null;
  for (const spec of specs) {
    if (spec.kind === StepKind.COMPENSATABLE && pastPivot) {
      throw new DefinitionError(
        `saga ${saga}: compensatable step ${spec.name} follows ${pastPivot}, which cannot be undone`,
      );
    }
    if (spec.kind === StepKind.PIVOT && spec.compensation) {
      throw new DefinitionError(`saga ${saga}: pivot step ${spec.name} cannot have a compensation`);
    }
    if (spec.kind !== StepKind.COMPENSATABLE) pastPivot = spec.name;
  }
}

/**
 * A parallel group needs a step to join, and holds only steps that can be undone, or only
 * steps after the pivot: a pivot in a group could succeed while a step beside it fails.
 */
function assertParallelGroups(saga: string, specs: StepSpec[]): void {
  if (specs[0].parallel) {
    throw new DefinitionError(
      `saga ${saga}: step ${specs[0].name} has no step before it to run alongside`,
    );
  }
  for (let i = 1; i < specs.length; i++) {
    if (!specs[i].parallel) continue;
    const { first, last } = parallelGroupOf(specs, i);
    const group = specs.slice(first, last + 1);
    const kinds = new Set(group.map((s) => s.kind));
    if (kinds.has(StepKind.PIVOT) || kinds.size > 1) {
      const names = group.map((s) => s.name).join(', ');
      throw new DefinitionError(
        `saga ${saga}: steps ${names} run in parallel, so they must all be compensatable or all retriable`,
      );
    }
  }
}

/** Configures one step; `step()` and `build()` hand back to the saga. */
export class StepBuilder<Data, Reply = unknown> {
  constructor(
    private readonly saga: SagaDefinitionBuilder<Data>,
    private readonly draft: DraftStep<Data>,
  ) {}

  invokeParticipant<Request, R>(
    endpoint: CommandEndpoint<Request, R>,
    build: (data: Data) => Request,
  ): StepBuilder<Data, R> {
    this.draft.spec.command = { channel: endpoint.channel, type: endpoint.type };
    this.draft.handlers.buildCommand = build;
    return this as unknown as StepBuilder<Data, R>;
  }

  /** Folds the participant's successful reply into the saga's data. */
  onReply(handler: (data: Data, reply: Reply) => Data): this {
    this.draft.handlers.onReply = handler as (data: Data, reply: unknown) => Data;
    return this;
  }

  withCompensation<Request>(
    endpoint: CommandEndpoint<Request, unknown>,
    build: (data: Data) => Request,
  ): this {
    this.draft.spec.compensation = { channel: endpoint.channel, type: endpoint.type };
    this.draft.handlers.buildCompensation = build;
    return this;
  }

  withTimeout(timeoutMs: number, options: { retryOnTimeout?: boolean } = {}): this {
    if (!(timeoutMs > 0))
      throw new DefinitionError(`step ${this.draft.spec.name}: timeout must be > 0`);
    this.draft.spec.timeoutMs = timeoutMs;
    this.draft.spec.retryOnTimeout = options.retryOnTimeout ?? false;
    return this;
  }

  withRetry(policy: Partial<RetryPolicy> & { maxAttempts: number }): this {
    this.draft.spec.retry = { ...DEFAULT_COMPENSATION_RETRY, ...policy };
    return this;
  }

  withCompensationRetry(policy: Partial<RetryPolicy> & { maxAttempts: number }): this {
    this.draft.spec.compensationRetry = { ...DEFAULT_COMPENSATION_RETRY, ...policy };
    return this;
  }

  /**
   * Marks the go/no-go step (the charge): it has no compensation, and once it succeeds nothing
   * before it is undone. `@nestjs/workflows` calls this point `commit()`; `pivot()` is the same.
   */
  commit(): this {
    this.draft.spec.kind = StepKind.PIVOT;
    return this;
  }

  /** The same as `commit()`, in the saga pattern's own word. */
  pivot(): this {
    return this.commit();
  }

  /** Marks a step after the pivot: retried until it succeeds, never compensated. */
  retriable(): this {
    this.draft.spec.kind = StepKind.RETRIABLE;
    return this;
  }

  /**
   * Starts this step together with the step before it, without waiting for that one's reply:
   * consecutive `inParallel()` steps and the step they follow form a group, and the next step
   * starts once every step of the group has succeeded (so its command sees all their replies).
   * When one fails, the saga waits for the replies still out, then undoes every step that
   * took effect, in reverse order. Steps of a group must not read each other's replies, and
   * must all be compensatable (or all retriable). Choreographies run them one after another.
   */
  inParallel(): this {
    this.draft.spec.parallel = true;
    return this;
  }

  /**
   * Makes the step optional: it runs only for a saga whose starting data satisfies
   * `predicate`, asked once when the saga starts. Otherwise the step is INACTIVE: its command
   * is never sent and it is never compensated; the saga goes from the step before it to the
   * step after it. The predicate must read only fields that no step changes (a choreography's
   * participants ask it again on the data each event carries) and must not throw.
   */
  onlyIf(predicate: (data: Data) => boolean): this {
    this.draft.handlers.onlyIf = predicate;
    return this;
  }

  step(name: string): StepBuilder<Data> {
    return this.saga.step(name);
  }

  build(): SagaDefinition<Data> {
    return this.saga.build();
  }
}

export function defineSaga<Data>(name: string, version: number): SagaDefinitionBuilder<Data> {
  return new SagaDefinitionBuilder<Data>(name, version);
}
