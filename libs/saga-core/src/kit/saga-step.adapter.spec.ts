import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { IsInt, IsString, Min } from 'class-validator';
import { defineChoreography } from '../choreography/choreography-definition.builder';
import { EventContext } from '../choreography/event-context';
import { EVENT_HANDLER_METADATA } from '../choreography/event-handler.decorator';
import { EVENT_GIVE_UP_METADATA } from '../choreography/retry-then-give-up.decorator';
import { commandEndpoint } from '../definition/command-endpoint';
import { defineSaga } from '../definition/saga-definition.builder';
import { RetryableStepError } from '../errors/retryable-step.error';
import { TerminalStepError } from '../errors/terminal-step.error';
import { CommandContext } from '../participant/command-context';
import { COMMAND_HANDLER_METADATA } from '../participant/command-handler.decorator';
import { SagaStepParticipant } from '../participant/saga-step-participant';
import { eventEndpoint, EventEndpoint, EventMessage } from '../transport/event-message';
import { CommandPhase } from '../transport/message-envelope';
import { sagaStepAdapter, sagaStepAdapterClass } from './saga-step-adapters';
import { SagaStepBinding } from './saga-step.binding';
import { STEP_FAULTS_HEADER } from './step-faults';

interface Order {
  orderId: string;
  qty: number;
  price?: number;
  reason?: string;
}

class ReserveDto {
  @IsString() orderId!: string;
  @IsInt() @Min(1) qty!: number;
}

const reserve = commandEndpoint<{ orderId: string; qty: number }, { price: number }>(
  'stock.commands',
  'stock.reserve',
);
const release = commandEndpoint<{ orderId: string }>('stock.commands', 'stock.release');
const charge = commandEndpoint<{ orderId: string; amount: number }>('pay.commands', 'pay.charge');
const refund = commandEndpoint<{ orderId: string }>('pay.commands', 'pay.refund');

const saga = defineSaga<Order>('order', 1)
  .step('stock')
  .invokeParticipant(reserve, (o) => ({ orderId: o.orderId, qty: o.qty }))
  .onReply((o, reply: { price: number }) => ({ ...o, price: reply.price }))
  .withCompensation(release, (o) => ({ orderId: o.orderId }))
  .step('payment')
  .invokeParticipant(charge, (o) => ({ orderId: o.orderId, amount: o.price ?? 0 }))
  .withCompensation(refund, (o) => ({ orderId: o.orderId }))
  .build();

const e = (type: string) => eventEndpoint<unknown>('order.events', type);
const stepEvents = (step: string) => ({
  succeeded: e(`${step}.done`),
  failed: e(`${step}.failed`),
  compensated: e(`${step}.undone`),
  compensationFailed: e(`${step}.undo-failed`),
  compensationRequested: e(`${step}.undo-requested`),
});
const choreography = defineChoreography<Order>('order-events', 1)
  .withDefaultTimeout(1_000)
  .startsWith(e('order.placed'), (o) => o)
  .cancelledWith(e('order.cancelled'), (o, reason) => ({ ...o, reason }))
  .stepsOf(saga.spec, { stock: stepEvents('stock'), payment: stepEvents('payment') })
  .build();

const binding: SagaStepBinding<Order> = {
  saga,
  choreography,
  step: 'stock',
  requests: { run: ReserveDto },
};

/** A stock with real state: what each order holds. */
class Stock implements SagaStepParticipant<{ orderId: string; qty: number }, { price: number }> {
  readonly held = new Map<string, number>();
  refuse = false;
  down = false;
  async run(request: { orderId: string; qty: number }) {
    if (this.down) throw new Error('database is down');
    if (this.refuse) throw new TerminalStepError('SOLD_OUT', 'sold out');
    this.held.set(request.orderId, request.qty);
    return { price: request.qty * 10 };
  }
  async undo(request: { orderId: string }) {
    this.held.delete(request.orderId);
  }
}

const faults = (fault: string) => ({ [STEP_FAULTS_HEADER]: JSON.stringify({ stock: fault }) });

function commandCtx(headers: Record<string, unknown> = {}) {
  const ctx = {
    sagaId: 'o-1',
    messageId: 'm-1',
    step: 'stock',
    phase: CommandPhase.FORWARD,
    attempt: 1,
    manager: {} as CommandContext['manager'],
    headers,
    suppressed: false,
    suppressReply: () => (ctx.suppressed = true),
  };
  return ctx;
}

function eventCtx(payload: Order, headers: Record<string, unknown> = {}, giveUp = false) {
  const published: { type: string; payload: unknown }[] = [];
  const event: EventMessage = {
    messageId: 'e-1',
    type: 'order.placed',
    correlationId: payload.orderId,
    source: 'orders',
    payload,
    occurredAt: new Date().toISOString(),
  };
  const ctx: EventContext = {
    event,
    headers,
    deliveryCount: 1,
    manager: {} as EventContext['manager'],
    givingUp: giveUp ? { reason: 'still down', attempts: 5 } : null,
    publish: <P>(endpoint: EventEndpoint<P>, body: P) => {
      published.push({ type: endpoint.type, payload: body });
    },
    raiseInjectedFault: () => undefined,
    join: async () => null,
  };
  return { event, ctx, published };
}

describe('the participant kit: one step, both styles, from the definitions', () => {
  it('mounts the step command, its compensation and exactly the events the saga order implies', () => {
    const proto = sagaStepAdapterClass(binding).prototype as unknown as Record<string, object>;
    const meta = (key: string, method: string): unknown => Reflect.getMetadata(key, proto[method]);
    expect(meta(COMMAND_HANDLER_METADATA, 'runCommand')).toEqual(reserve);
    expect(meta(COMMAND_HANDLER_METADATA, 'undoCommand')).toEqual(release);
    expect(meta(EVENT_HANDLER_METADATA, 'runOnEvent')).toEqual({
      exchange: 'order.events',
      types: ['order.placed'],
    });
    expect(meta(EVENT_HANDLER_METADATA, 'undoOnEvent')).toEqual({
      exchange: 'order.events',
      types: ['payment.failed', 'payment.undone', 'payment.undo-failed', 'stock.undo-requested'],
    });
    expect(meta(EVENT_GIVE_UP_METADATA, 'undoOnEvent')).toEqual(
      choreography.spec.steps[0].compensationRetry,
    );
    // The same methods as Nest message handlers: patterns, and the payload's DTO for the pipes.
    expect(meta(PATTERN_METADATA, 'runCommand')).toEqual(['stock.reserve']);
    expect(meta(PATTERN_METADATA, 'undoOnEvent')).toEqual([
      'payment.failed',
      'payment.undone',
      'payment.undo-failed',
      'stock.undo-requested',
    ]);
    const paramTypes = (method: string): unknown =>
      Reflect.getMetadata('design:paramtypes', proto, method);
    expect(paramTypes('runCommand')).toEqual([ReserveDto, Object]);
    expect(paramTypes('undoCommand')).toEqual([Object, Object]);
    // Each step's class is its own: the other step's metadata is not shared.
    const payment = sagaStepAdapterClass({ ...binding, step: 'payment', requests: {} });
    const paymentProto = payment.prototype as unknown as Record<string, object>;
    expect(Reflect.getMetadata(COMMAND_HANDLER_METADATA, paymentProto.runCommand)).toEqual(charge);
    expect(meta(COMMAND_HANDLER_METADATA, 'runCommand')).toEqual(reserve);
  });

  it('refuses a step or a choreography that does not match the saga', () => {
    expect(() => sagaStepAdapterClass({ ...binding, step: 'shipping' })).toThrow(
      'saga order has no step shipping (it has stock, payment)',
    );
    const swapped = { ...choreography, spec: { ...choreography.spec, steps: [] } };
    expect(() => sagaStepAdapterClass({ ...binding, choreography: swapped })).toThrow(
      'does not have stock as step 1',
    );
  });

  it('runs the command on the domain port, checked against its DTO, under the header faults', async () => {
    const stock = new Stock();
    const adapter = sagaStepAdapter(binding, stock);
    await expect(adapter.runCommand({ orderId: 'o-1', qty: 2 }, commandCtx())).resolves.toEqual({
      price: 20,
    });
    await expect(adapter.runCommand({ orderId: 'o-2', qty: 0 }, commandCtx())).rejects.toThrow(
      TerminalStepError,
    );
    await expect(
      adapter.runCommand({ orderId: 'o-3', qty: 1 }, commandCtx(faults('fail'))),
    ).rejects.toMatchObject({ code: 'INJECTED_FAILURE' });
    const silent = commandCtx(faults('timeout'));
    await adapter.runCommand({ orderId: 'o-4', qty: 1 }, silent);
    expect(silent.suppressed).toBe(true);
    expect([...stock.held.keys()]).toEqual(['o-1', 'o-4']);
    await expect(
      adapter.undoCommand({ orderId: 'o-1' }, commandCtx(faults('fail-compensation'))),
    ).rejects.toThrow(RetryableStepError);
    await adapter.undoCommand({ orderId: 'o-1' }, commandCtx());
    expect([...stock.held.keys()]).toEqual(['o-4']);
  });

  it('on events: announces the data with the reply folded in, or the refusal with its reason', async () => {
    const stock = new Stock();
    const adapter = sagaStepAdapter(binding, stock);
    const ok = eventCtx({ orderId: 'o-1', qty: 3 });
    await adapter.runOnEvent(ok.event, ok.ctx);
    expect(ok.published).toEqual([
      { type: 'stock.done', payload: { orderId: 'o-1', qty: 3, price: 30 } },
    ]);
    stock.refuse = true;
    const refused = eventCtx({ orderId: 'o-2', qty: 1 });
    await adapter.runOnEvent(refused.event, refused.ctx);
    expect(refused.published).toEqual([
      { type: 'stock.failed', payload: { orderId: 'o-2', qty: 1, reason: 'sold out' } },
    ]);
    const silent = eventCtx({ orderId: 'o-3', qty: 1 }, faults('timeout'));
    stock.refuse = false;
    await adapter.runOnEvent(silent.event, silent.ctx);
    expect(silent.published).toEqual([]);
    expect(stock.held.has('o-3')).toBe(true);
    stock.down = true;
    const outage = eventCtx({ orderId: 'o-4', qty: 1 });
    await expect(adapter.runOnEvent(outage.event, outage.ctx)).rejects.toThrow('database is down');
    expect(outage.published).toEqual([]);
  });

  it('on events: undoes, or announces the failed undo once its tries are spent', async () => {
    const stock = new Stock();
    stock.held.set('o-1', 2);
    const adapter = sagaStepAdapter(binding, stock);
    const failing = eventCtx({ orderId: 'o-1', qty: 2 }, faults('fail-compensation'));
    await expect(adapter.undoOnEvent(failing.event, failing.ctx)).rejects.toThrow(
      RetryableStepError,
    );
    expect(stock.held.has('o-1')).toBe(true);
    const givenUp = eventCtx({ orderId: 'o-1', qty: 2 }, {}, true);
    await adapter.undoOnEvent(givenUp.event, givenUp.ctx);
    expect(givenUp.published).toEqual([
      { type: 'stock.undo-failed', payload: { orderId: 'o-1', qty: 2, reason: 'still down' } },
    ]);
    const undo = eventCtx({ orderId: 'o-1', qty: 2 });
    await adapter.undoOnEvent(undo.event, undo.ctx);
    expect(undo.published).toEqual([{ type: 'stock.undone', payload: { orderId: 'o-1', qty: 2 } }]);
    expect(stock.held.has('o-1')).toBe(false);
  });
});
