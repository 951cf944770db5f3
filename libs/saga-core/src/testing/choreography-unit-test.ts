import { ChoreographyDefinition } from '../choreography/choreography-definition';
import { ChoreographyStateMachine } from '../choreography/choreography-state-machine';
import { EventEndpoint, EventMessage } from '../transport/event-message';
import { AuditEntry } from '../model/audit-entry';
import { SagaInstance, SagaTimer } from '../model/saga-instance';
import { OperatorRequest } from '../model/saga-machine';
import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';

/**
 * A given/expect harness for a choreography definition: it feeds the tracker events as the
 * participants would publish them, on a virtual clock, with no broker and no database.
 */
export class ChoreographyUnitTest<Data> {
  private instance: SagaInstance<Data> | null = null;
  private published: EventMessage[] = [];
  private readonly auditLog: AuditEntry[] = [];
  private fireAt: Date | null = null;
  private timerKey = '';
  private clock = Date.parse('2030-01-01T00:00:00Z');
  private ids = 0;
  private readonly machine: ChoreographyStateMachine<Data>;

  private constructor(definition: ChoreographyDefinition<Data>) {
    this.machine = new ChoreographyStateMachine(definition, {
      now: () => new Date(this.clock),
      newId: () => `evt-${++this.ids}`,
      random: () => 1,
      replyQueue: 'unused',
      source: 'orchestrator',
    });
  }

  static of<Data>(definition: ChoreographyDefinition<Data>): ChoreographyUnitTest<Data> {
    return new ChoreographyUnitTest(definition);
  }

  givenStarted(data: Data, sagaId = 'saga-1'): this {
    const t = this.machine.start({ sagaId, data });
    this.apply(
      t.instance,
      t.audit,
      t.messages.map((m) => m.body as EventMessage),
      t.timer,
    );
    return this;
  }

  /** A participant published `event`; `ignored` says the tracker must only record it. */
  whenEvent<P>(event: EventEndpoint<P>, payload: P, options: { ignored?: boolean } = {}): this {
    const message: EventMessage = {
      messageId: `in-${++this.ids}`,
      type: event.type,
      correlationId: this.state.id,
      source: 'participant',
      payload,
      occurredAt: new Date(this.clock).toISOString(),
    };
    const result = this.machine.onEvent(this.state, message);
    if ('ignored' in result) {
      if (!options.ignored)
        fail(`${event.type} was ignored: ${JSON.stringify(result.audit[0].detail.reason)}`);
      this.auditLog.push(...result.audit);
      return this;
    }
    if (options.ignored) fail(`${event.type} moved the saga, though it should have been ignored`);
    this.apply(
      result.instance,
      result.audit,
      result.messages.map((m) => m.body as EventMessage),
      result.timer,
    );
    return this;
  }

  /** An operator cancels the running saga. */
  whenOperatorCancels(by: OperatorRequest = { operator: 'op', reason: 'asked to' }): this {
    const t = this.machine.cancel(this.state, by);
    if (!t) fail(`the saga cannot be cancelled: it is ${this.state.status}`);
    this.apply(t.instance, t.audit, eventsOf(t.messages), t.timer);
    return this;
  }

  /** An operator retries the undos that failed. */
  whenOperatorRetries(by: OperatorRequest = { operator: 'op', reason: 'fixed' }): this {
    const t = this.machine.retryCompensation(this.state, by);
    if (!t) fail(`the compensation cannot be retried: the saga is ${this.state.status}`);
    this.apply(t.instance, t.audit, eventsOf(t.messages), t.timer);
    return this;
  }

  /** When the saga's timer fires next (a step's outcome, an undo or a backoff), or null. */
  get deadline(): Date | null {
    return this.fireAt;
  }

  /** Lets virtual time run past the deadline (or backoff) `times` times over. */
  whenDeadlinesPass(times: number): this {
    for (let i = 0; i < times; i++) this.whenDeadlinePasses();
    return this;
  }

  /** Lets virtual time run past the current step's deadline. */
  whenDeadlinePasses(): this {
    if (!this.fireAt) fail('the saga has no deadline set');
    this.clock = (this.fireAt as Date).getTime();
    const timer: SagaTimer = {
      sagaId: this.state.id,
      fireAt: this.fireAt as Date,
      key: this.timerKey,
    };
    const t = this.machine.onTimer(this.state, timer);
    if (!t) fail('the deadline was stale');
    else this.apply(t.instance, t.audit, eventsOf(t.messages), t.timer);
    return this;
  }

  /** The orchestrator published exactly these events since the previous expectation. */
  expectPublished(...events: EventEndpoint<unknown>[]): this {
    const types = this.published.map((e) => e.type);
    const wanted = events.map((e) => e.type);
    if (JSON.stringify(types) !== JSON.stringify(wanted)) {
      fail(`expected ${JSON.stringify(wanted)} to be published, got ${JSON.stringify(types)}`);
    }
    this.published = [];
    return this;
  }

  expectStatus(status: SagaStatus): this {
    if (this.state.status !== status) fail(`expected saga ${status}, got ${this.state.status}`);
    return this;
  }

  expectSteps(expected: Record<string, StepStatus>): this {
    for (const [name, status] of Object.entries(expected)) {
      const step = this.state.steps.find((s) => s.name === name);
      if (step?.status !== status) fail(`step ${name}: expected ${status}, got ${step?.status}`);
    }
    return this;
  }

  get state(): SagaInstance<Data> {
    if (!this.instance) fail('the saga was not started');
    return this.instance as SagaInstance<Data>;
  }

  get audit(): readonly AuditEntry[] {
    return this.auditLog;
  }

  private apply(
    instance: SagaInstance<Data>,
    audit: AuditEntry[],
    published: EventMessage[],
    timer: { fireAt: Date; key: string } | null | undefined,
  ): void {
    this.instance = instance;
    this.auditLog.push(...audit);
    this.published.push(...published);
    if (timer !== undefined) {
      this.fireAt = timer?.fireAt ?? null;
      this.timerKey = timer?.key ?? '';
    }
  }
}

function eventsOf(messages: readonly { body: object }[]): EventMessage[] {
  return messages.map((m) => m.body as EventMessage);
}

function fail(message: string): never {
  throw new Error(message);
}
