import { CallHandler, ExecutionContext, INestMicroservice, NestInterceptor } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt, IsString, Min } from 'class-validator';
import { Observable, tap } from 'rxjs';
import { defineChoreography } from '../choreography/choreography-definition.builder';
import { commandEndpoint } from '../definition/command-endpoint';
import { defineSaga } from '../definition/saga-definition.builder';
import { SagaMessageContext } from '../participant/saga-message.context';
import { SagaStepParticipant } from '../participant/saga-step-participant';
import { SagaModule } from '../saga-core.module';
import { inMemoryStorage, inMemoryTransport } from '../testing/in-memory.adapters';
import { InMemoryTransport } from '../testing/in-memory.transport';
import { eventEndpoint, EventMessage } from '../transport/event-message';
import { SagaMessageServer } from './saga-message.server';
import { SagaParticipantModule } from './saga-participant.module';

interface Order {
  orderId: string;
  qty: number;
  reason?: string;
}

class ReserveDto {
  @IsString() orderId!: string;
  @IsInt() @Min(1) qty!: number;
}

const reserve = commandEndpoint<{ orderId: string; qty: number }>(
  'stock.commands',
  'stock.reserve',
);
const release = commandEndpoint<{ orderId: string }>('stock.commands', 'stock.release');
const charge = commandEndpoint<{ orderId: string }>('pay.commands', 'pay.charge');
const saga = defineSaga<Order>('order', 1)
  .step('stock')
  .invokeParticipant(reserve, (o) => ({ orderId: o.orderId, qty: o.qty }))
  .withCompensation(release, (o) => ({ orderId: o.orderId }))
  .step('payment')
  .invokeParticipant(charge, (o) => ({ orderId: o.orderId }))
  .build();
const e = (type: string) => eventEndpoint<Order>('order.events', type);
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

class StockStep implements SagaStepParticipant<{ orderId: string }> {
  async run() {}
  async undo() {}
}

class CountingInterceptor implements NestInterceptor {
  readonly seen: string[] = [];
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<SagaMessageContext>();
    return next.handle().pipe(tap({ complete: () => this.seen.push(ctx.pattern) }));
  }
}

describe('SagaMessageServer: events through the Nest pipeline', () => {
  let app: INestMicroservice;
  const broker = new InMemoryTransport();
  const interceptor = new CountingInterceptor();
  /** What the step announced, in order, as the probe queue received it. */
  const announced: EventMessage<Order>[] = [];
  let announce: (() => void) | null = null;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          serviceName: 'stock',
          choreography: {},
          store: inMemoryStorage(),
          transport: inMemoryTransport(broker),
        }),
        SagaParticipantModule.forFeature([
          { saga, choreography, step: 'stock', use: StockStep, requests: { run: ReserveDto } },
        ]),
      ],
      providers: [StockStep],
    }).compile();
    app = module.createNestMicroservice({ strategy: module.get(SagaMessageServer), logger: false });
    app.useGlobalInterceptors(interceptor);
    await app.listen();
    const probe = {
      name: 'probe',
      bindings: ['stock.done', 'stock.failed'].map((routingKey) => ({
        exchange: 'order.events',
        routingKey,
      })),
    };
    await broker.declareQueue(probe);
    await broker.consume(probe, async (message) => {
      announced.push(message.body as EventMessage<Order>);
      announce?.();
    });
  });

  afterAll(() => app?.close());

  async function place(order: Order): Promise<EventMessage<Order>> {
    const next = new Promise<void>((resolve) => (announce = resolve));
    const body: EventMessage<Order> = {
      messageId: `m-${order.orderId}`,
      type: 'order.placed',
      correlationId: order.orderId,
      source: 'orders',
      payload: order,
      occurredAt: new Date().toISOString(),
    };
    const { messageId, type } = body;
    await broker.publish({ messageId, type, exchange: 'order.events', routingKey: type, body });
    await next;
    return announced[announced.length - 1];
  }

  it('runs each event through the app interceptors; a refused request is announced as failed', async () => {
    expect(await place({ orderId: 'o-1', qty: 2 })).toMatchObject({ type: 'stock.done' });
    const refused = await place({ orderId: 'o-2', qty: 0 });
    expect(refused).toMatchObject({
      type: 'stock.failed',
      payload: { orderId: 'o-2', reason: 'ReserveDto: qty must not be less than 1' },
    });
    expect(interceptor.seen).toEqual(['order.placed', 'order.placed']);
  });
});
