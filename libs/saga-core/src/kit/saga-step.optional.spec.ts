import { ChoreographyStateMachine } from '../choreography/choreography-state-machine';
import { EventContext } from '../choreography/event-context';
import { choreographyTopology } from '../definition/choreography-topology';
import { AuditEntry, AuditType } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { SagaStatus } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { StepStatus } from '../model/step-status';
import { defineChoreography } from '../choreography/choreography-definition.builder';
import {
  event as eventOf,
  eventsOf,
  optionalCases,
  optionalChoreography,
  optionalSaga,
  Order,
  priceOf,
  RecordingParticipant,
  STEPS,
} from '../testing/optional-steps.fixture';
import { EventEndpoint, EventMessage } from '../transport/event-message';
import { sagaStepAdapter, sagaStepAdapterClass } from './saga-step-adapters';

/**
 * The choreographed saga in memory: the tracker and the four steps' kit adapters on one bus
 * that delivers each event, in the order it was published, to the tracker and to every
 * adapter whose `@EventHandler`s list it. An event an adapter lets pass is delivered to it a
 * second time, as a redelivery would, and must again do nothing.
 */
class ChoreographyBus {
  /** What the participants were asked to do, in order (`a.run`, `b.undo`…). */
  readonly log: string[] = [];
  readonly audit: AuditEntry[] = [];
  saga: SagaInstance<Order> | null = null;
  private readonly queue: EventMessage[] = [];
  private ids = 0;
  private readonly machine = new ChoreographyStateMachine(optionalChoreography, {
    now: () => new Date(Date.UTC(2030, 0, 1)),
    newId: () => `evt-${++this.ids}`,
    random: () => 1,
    replyQueue: 'unused',
    source: 'orchestrator',
  });
  private readonly tracked = new Set(this.machine.inputs.events.map((e) => e.type));
  private readonly topology = choreographyTopology(optionalChoreography.spec);
  private readonly adapters = STEPS.map((step) =>
    sagaStepAdapter(
      { saga: optionalSaga, choreography: optionalChoreography, step },
      new RecordingParticipant(step, this.log),
    ),
  );

  async run(order: Order): Promise<SagaInstance<Order>> {
    this.apply(this.machine.start({ sagaId: 'o-1', data: order }));
    while (this.queue.length > 0) await this.dispatch(this.queue.shift() as EventMessage);
    return this.current;
  }

  private async dispatch(event: EventMessage): Promise<void> {
    if (this.tracked.has(event.type)) {
      const result = this.machine.onEvent(this.current, event);
      if ('ignored' in result) this.audit.push(...result.audit);
      else this.apply(result);
    }
    for (const [i, adapter] of this.adapters.entries()) {
      const { work, undo } = this.topology[i];
      const reacts = (refs: { type: string }[]) => refs.some((r) => r.type === event.type);
      if (reacts(work)) await this.deliver(event, (ctx) => adapter.runOnEvent(event, ctx));
      if (reacts(undo)) await this.deliver(event, (ctx) => adapter.undoOnEvent(event, ctx));
    }
  }

  private get current(): SagaInstance<Order> {
    if (!this.saga) throw new Error('the saga was not started');
    return this.saga;
  }

  private async deliver(
    event: EventMessage,
    handle: (ctx: EventContext) => Promise<void>,
  ): Promise<void> {
    const before = this.log.length;
    const published = await this.handleOnce(event, 1, handle);
    if (published.length > 0 || this.log.length > before) {
      this.queue.push(...published);
      return;
    }
    const again = await this.handleOnce(event, 2, handle);
    if (again.length > 0 || this.log.length > before) {
      throw new Error(`${event.type}, delivered again, did what its first delivery did not`);
    }
  }

  private async handleOnce(
    event: EventMessage,
    deliveryCount: number,
    handle: (ctx: EventContext) => Promise<void>,
  ): Promise<EventMessage[]> {
    const published: EventMessage[] = [];
    await handle({
      event,
      headers: {},
      deliveryCount,
      manager: {} as EventContext['manager'],
      givingUp: null,
      publish: <P>(endpoint: EventEndpoint<P>, payload: P) => {
        published.push({
          messageId: `evt-${++this.ids}`,
          type: endpoint.type,
          correlationId: event.correlationId,
          source: 'participant',
          payload,
          occurredAt: event.occurredAt,
        });
      },
      raiseInjectedFault: () => undefined,
      join: async () => null,
    });
    return published;
  }

  private apply(t: SagaTransition<Order>): void {
    this.saga = t.instance;
    this.audit.push(...t.audit);
    this.queue.push(...t.messages.map((m) => m.body as EventMessage));
  }
}

describe('a choreographed saga with an optional step, run end to end on the kit', () => {
  for (const c of optionalCases()) {
    it(`${c.title}: runs ${c.ran.join(', ')}, undoes ${c.undone.join(', ') || 'nothing'}`, async () => {
      const bus = new ChoreographyBus();
      const saga = await bus.run(c.order);

      expect(saga.status).toBe(c.failed ? SagaStatus.CANCELLED : SagaStatus.CONFIRMED);
      // Nothing reached the skipped step's participant, and each step ran (and was undone) once.
      expect(bus.log).toEqual([
        ...c.ran.map((s) => `${s}.run`),
        ...c.undone.map((s) => `${s}.undo`),
      ]);
      const statusOf = (step: string): StepStatus => {
        if (step === c.failed) return StepStatus.FAILED;
        if (c.undone.includes(step as never)) return StepStatus.COMPENSATED;
        if (c.ran.includes(step as never)) return StepStatus.COMPLETED;
        return step === 'c' && !c.order.extra ? StepStatus.INACTIVE : StepStatus.SKIPPED;
      };
      expect(saga.steps.map((s) => s.status)).toEqual(STEPS.map(statusOf));
      // An inactive step has no audit line: it is created so, with no change of its own.
      if (!c.order.extra) expect(bus.audit.filter((a) => a.step === 'c')).toEqual([]);
      const undone = bus.audit.filter((a) => a.type === AuditType.STEP_COMPENSATED);
      expect(undone.map((a) => a.step)).toEqual(c.undone);
      const folded = c.ran.filter((s) => s !== c.failed);
      expect(saga.data.prices).toEqual(Object.fromEntries(folded.map((s) => [s, priceOf(s)])));
    });
  }

  it("refuses a choreography whose optional steps are not the saga's", () => {
    const fromSpec = defineChoreography<Order>('abcd-events', 1)
      .startsWith(eventOf('abcd.started'), (o) => o)
      .cancelledWith(eventOf('abcd.cancelled'), (o) => o)
      .stepsOf(optionalSaga.spec, Object.fromEntries(STEPS.map((s) => [s, eventsOf(s)])))
      .build();
    expect(() =>
      sagaStepAdapterClass({ saga: optionalSaga, choreography: fromSpec, step: 'd' }),
    ).toThrow('step c is optional in only one of saga abcd and choreography abcd-events');
  });
});
