import { isDeepStrictEqual } from 'node:util';
import { CommandEndpoint } from '../definition/command-endpoint';
import { SagaDefinition } from '../definition/saga-definition';
import { AuditEntry } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { OperatorRequest } from '../model/saga-machine';
import { SagaStateMachine } from '../orchestration/saga-state-machine';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { StepStatus } from '../model/step-status';
import { buildReply, HandlerOutcome } from '../participant/command-reply.builder';
import { CommandMessage, ReplyMessage } from '../transport/message-envelope';

/**
 * A given/expect harness for a saga definition (after Eventuate's `SagaUnitTestSupport`):
 * it runs the engine's decisions with no database, no broker and a virtual clock.
 *
 * ```ts
 * SagaUnitTest.of(tripBookingSaga)
 *   .givenStarted(trip)
 *   .expectCommand(FlightEndpoints.reserve, { flightId: 'FL-100' })
 *   .andReplySuccess({ price: 250 })
 *   .expectCommand(HotelEndpoints.reserve)
 *   .andReplyFailure('SOLD_OUT')
 *   .expectCommand(FlightEndpoints.cancel)
 *   .andReplySuccess()
 *   .expectStatus('CANCELLED');
 * ```
 */
export class SagaUnitTest<Data> {
  private instance: SagaInstance<Data> | null = null;
  private readonly sent: CommandMessage[] = [];
  /** Commands sent and not answered yet: several while the steps of a parallel group are out. */
  private open: CommandMessage[] = [];
  private readonly auditLog: AuditEntry[] = [];
  private fireAt: Date | null = null;
  private timerKey = '';
  private clock = Date.parse('2030-01-01T00:00:00Z');
  private ids = 0;
  private lastReply: ReplyMessage | null = null;
  private readonly machine: SagaStateMachine<Data>;

  private constructor(definition: SagaDefinition<Data>) {
    this.machine = new SagaStateMachine(definition, {
      now: () => new Date(this.clock),
      newId: () => `msg-${++this.ids}`,
      random: () => 1,
      replyQueue: 'test.replies',
      source: 'test',
    });
  }

  static of<Data>(definition: SagaDefinition<Data>): SagaUnitTest<Data> {
    return new SagaUnitTest(definition);
  }

  givenStarted(data: Data, sagaId = 'saga-1'): this {
    this.apply(this.machine.start({ sagaId, data }));
    return this;
  }

  /** The last command sent must be this one; `payload` is matched field by field. */
  expectCommand<Request>(
    endpoint: CommandEndpoint<Request, unknown>,
    payload?: Partial<Request>,
  ): this {
    const command = this.lastCommand();
    if (command.type !== endpoint.type) {
      fail(`expected command ${endpoint.type}, but the last one sent was ${command.type}`);
    }
    for (const [key, value] of Object.entries(payload ?? {})) {
      const actual = (command.payload as Record<string, unknown>)[key];
      if (!isDeepStrictEqual(actual, value)) {
        fail(
          `${endpoint.type}.${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`,
        );
      }
    }
    return this;
  }

  /** The commands sent since the previous reply or timer are these, in this order. */
  expectCommands(...endpoints: EndpointType[]): this {
    const sent = this.sent.map((c) => c.type);
    const wanted = endpoints.map((e) => e.type);
    if (!isDeepStrictEqual(sent, wanted)) {
      fail(`expected commands ${wanted.join(', ') || 'none'}, got ${sent.join(', ') || 'none'}`);
    }
    return this;
  }

  /**
   * Each of these commands is sent in turn, alone, and answered with success before the next:
   * an undo chain (`expectUndoChain(car.cancel, hotel.cancel, flight.cancel)`).
   */
  expectUndoChain(...endpoints: EndpointType[]): this {
    for (const endpoint of endpoints) this.expectCommands(endpoint).andReplySuccess();
    return this;
  }

  /** No command was sent since the previous expectation. */
  expectNoCommand(): this {
    const pending = this.sent.length;
    if (pending > 0)
      fail(`expected no command, but ${this.sent.map((c) => c.type).join(', ')} was sent`);
    return this;
  }

  andReplySuccess(payload: unknown = {}): this {
    return this.reply(this.lastCommand(), { payload });
  }

  andReplyFailure(code: string, options: FailureOptions = {}): this {
    return this.reply(this.lastCommand(), failure(code, options));
  }

  /** Answers the open command of `endpoint`, one of several out at once (parallel steps). */
  andReplySuccessTo(endpoint: EndpointType, payload: unknown = {}): this {
    return this.reply(this.openCommand(endpoint), { payload });
  }

  /** Refuses the open command of `endpoint`, one of several out at once (parallel steps). */
  andReplyFailureTo(endpoint: EndpointType, code: string, options: FailureOptions = {}): this {
    return this.reply(this.openCommand(endpoint), failure(code, options));
  }

  /** Delivers the previous reply once more: a redelivery must change nothing. */
  andReplyRedelivered(): this {
    if (!this.lastReply) fail('no reply was sent yet');
    return this.ignored(this.lastReply as ReplyMessage, 'a redelivered reply');
  }

  /** A reply to the open command of `endpoint` comes late: it is recorded and changes nothing. */
  expectLateReplyIgnored(endpoint: EndpointType, payload: unknown = {}): this {
    const command = this.openCommand(endpoint);
    const reply = buildReply(command, { payload }, `reply-${++this.ids}`, new Date(this.clock));
    return this.ignored(reply, `the late reply to ${endpoint.type}`);
  }

  /** `reply` must be recorded and ignored, the saga left as it was. */
  private ignored(reply: ReplyMessage, what: string): this {
    const before = JSON.stringify(this.state);
    const result = this.machine.onReply(this.state, reply);
    if (!('ignored' in result)) fail(`${what} changed the saga`);
    this.auditLog.push(...(result as { audit: AuditEntry[] }).audit);
    if (JSON.stringify(this.state) !== before) fail(`${what} changed the saga`);
    return this;
  }

  /** Lets virtual time run until the saga's timer fires (a reply deadline or a backoff). */
  andTimerFires(): this {
    if (!this.fireAt) fail('the saga has no timer set');
    this.clock = (this.fireAt as Date).getTime();
    const timer = { sagaId: this.state.id, fireAt: this.fireAt as Date, key: this.timerKey };
    this.sent.length = 0;
    const transition = this.machine.onTimer(this.state, timer);
    if (!transition) fail('the timer was stale');
    this.apply(transition as SagaTransition<Data>);
    return this;
  }

  /** An operator cancels the running saga. */
  andOperatorCancels(by: OperatorRequest = { operator: 'ops', reason: 'test' }): this {
    this.sent.length = 0;
    const transition = this.machine.cancel(this.state, by);
    if (!transition) fail(`a ${this.state.status} saga cannot be cancelled`);
    this.apply(transition as SagaTransition<Data>);
    return this;
  }

  /** An operator retries the compensations that failed. */
  andOperatorRetriesCompensation(by: OperatorRequest = { operator: 'ops', reason: 'test' }): this {
    this.sent.length = 0;
    const transition = this.machine.retryCompensation(this.state, by);
    if (!transition) fail(`a ${this.state.status} saga has no compensation to retry`);
    this.apply(transition as SagaTransition<Data>);
    return this;
  }

  expectStatus(status: SagaStatus): this {
    if (this.state.status !== status) {
      fail(
        `expected saga ${status}, got ${this.state.status} (${this.state.failureReason ?? 'no failure'})`,
      );
    }
    return this;
  }

  expectSteps(expected: Record<string, StepStatus>): this {
    for (const [name, status] of Object.entries(expected)) {
      const step = this.state.steps.find((s) => s.name === name);
      if (!step) fail(`no step named ${name}`);
      if (step?.status !== status) fail(`step ${name}: expected ${status}, got ${step?.status}`);
    }
    return this;
  }

  /** The audit types recorded so far, in order, must contain these in this order. */
  expectAuditSequence(types: string[]): this {
    const recorded = this.auditLog.map((e) => (e.step ? `${e.type}:${e.step}` : e.type));
    let at = 0;
    for (const wanted of types) {
      const found = recorded.indexOf(wanted, at);
      if (found < 0)
        fail(`audit is missing ${wanted} after position ${at}: ${recorded.join(', ')}`);
      at = found + 1;
    }
    return this;
  }

  expectData(predicate: (data: Data) => boolean, what = 'data check'): this {
    if (!predicate(this.state.data)) fail(`${what} failed on ${JSON.stringify(this.state.data)}`);
    return this;
  }

  get state(): SagaInstance<Data> {
    if (!this.instance) fail('the saga was not started');
    return this.instance as SagaInstance<Data>;
  }

  get audit(): readonly AuditEntry[] {
    return this.auditLog;
  }

  private reply(command: CommandMessage, outcome: HandlerOutcome): this {
    this.sent.length = 0;
    this.open = this.open.filter((c) => c !== command);
    const reply = buildReply(command, outcome, `reply-${++this.ids}`, new Date(this.clock));
    this.lastReply = reply;
    const result = this.machine.onReply(this.state, reply);
    if ('ignored' in result) fail(`the reply to ${command.type} was ignored`);
    this.apply(result as SagaTransition<Data>);
    return this;
  }

  private apply(transition: SagaTransition<Data>): void {
    this.instance = transition.instance;
    this.auditLog.push(...transition.audit);
    const commands = transition.messages.map((m) => m.body as CommandMessage);
    this.sent.push(...commands);
    // A step's new command (a retry, or its undo) replaces the one it had out.
    const steps = new Set(commands.map((c) => c.stepIndex));
    this.open = [...this.open.filter((c) => !steps.has(c.stepIndex)), ...commands];
    if (transition.timer !== undefined) {
      this.fireAt = transition.timer?.fireAt ?? null;
      this.timerKey = transition.timer?.key ?? '';
    }
  }

  private lastCommand(): CommandMessage {
    const command = this.sent.at(-1);
    if (!command) fail('no command was sent');
    return command as CommandMessage;
  }

  private openCommand(endpoint: EndpointType): CommandMessage {
    const command = [...this.open].reverse().find((c) => c.type === endpoint.type);
    if (!command) fail(`no ${endpoint.type} command is out`);
    return command as CommandMessage;
  }
}

/** An endpoint as a reply to one of several open commands names it: by its command type. */
type EndpointType = Pick<CommandEndpoint<unknown, unknown>, 'type'>;

type FailureOptions = { retryable?: boolean; message?: string };

function failure(code: string, options: FailureOptions): HandlerOutcome {
  return {
    error: { code, message: options.message ?? code, retryable: options.retryable ?? false },
  };
}

function fail(message: string): never {
  throw new Error(message);
}
