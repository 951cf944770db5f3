import { Controller, INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { commandEndpoint } from './definition/command-endpoint';
import { defineSaga } from './definition/saga-definition.builder';
import { SagaEngine } from './engine/saga-engine';
import { TerminalStepError } from './errors/terminal-step.error';
import { SagaStatus } from './model/saga-status';
import { StepStatus } from './model/step-status';
import { CommandHandler } from './participant/command-handler.decorator';
import { SagaMessageServer } from './kit/saga-message.server';
import { SagaModule } from './saga-core.module';
import { SagaCoreOptions } from './saga-core.options';
import {
  InMemoryStorageHandle,
  inMemoryStorage,
  inMemoryTransport,
} from './testing/in-memory.adapters';
import { InMemoryTransport } from './testing/in-memory.transport';

interface Order {
  orderId: string;
  item: string;
  card: string;
}

const Shop = {
  reserve: commandEndpoint<{ orderId: string; item: string }, { reservationId: string }>(
    'shop.commands',
    'stock.reserve',
  ),
  release: commandEndpoint<{ orderId: string }>('shop.commands', 'stock.release'),
  charge: commandEndpoint<{ orderId: string; card: string }>('shop.commands', 'payment.charge'),
};

const orderSaga = defineSaga<Order>('order', 1)
  .step('stock')
  .invokeParticipant(Shop.reserve, (o) => ({ orderId: o.orderId, item: o.item }))
  .withCompensation(Shop.release, (o) => ({ orderId: o.orderId }))
  .step('payment')
  .invokeParticipant(Shop.charge, (o) => ({ orderId: o.orderId, card: o.card }))
  .pivot()
  .build();

/** A participant with its business state in memory: what is reserved, and what was released. */
@Controller()
class ShopParticipant {
  readonly reserved = new Set<string>();
  readonly released = new Set<string>();

  @CommandHandler(Shop.reserve)
  reserve(command: { orderId: string; item: string }) {
    this.reserved.add(command.orderId);
    return { reservationId: `r-${command.orderId}` };
  }

  @CommandHandler(Shop.release)
  release(command: { orderId: string }) {
    if (this.reserved.delete(command.orderId)) this.released.add(command.orderId);
  }

  @CommandHandler(Shop.charge)
  charge(command: { orderId: string; card: string }) {
    if (command.card === 'declined') throw new TerminalStepError('CARD_DECLINED', 'declined');
    return {};
  }
}

const SHOP: Omit<SagaCoreOptions, 'store' | 'transport'> = {
  serviceName: 'shop',
  orchestrator: { definitions: [orderSaga], replyQueue: 'shop.replies' },
  participant: { channel: 'shop.commands', replyQueues: ['shop.replies'] },
};

describe('SagaModule.forRoot({ store, transport })', () => {
  let app: INestMicroservice;
  const storage: InMemoryStorageHandle = {};
  const broker = new InMemoryTransport();

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          ...SHOP,
          store: inMemoryStorage(storage),
          transport: inMemoryTransport(broker),
        }),
      ],
      controllers: [ShopParticipant],
    }).compile();
    // The participant consumes its commands through its message server.
    app = module.createNestMicroservice({ strategy: module.get(SagaMessageServer), logger: false });
    await app.listen();
  });

  afterAll(() => app?.close());

  it('runs a saga on the ports it was given, with no database or broker', async () => {
    const engine = app.get(SagaEngine);
    await engine.startSaga(
      'order',
      { orderId: 'o-1', item: 'book', card: 'ok' },
      { sagaId: 'o-1' },
    );
    const saga = await engine.waitUntilEnded('o-1', 5_000);
    expect(saga?.status).toBe(SagaStatus.CONFIRMED);
    expect(app.get(ShopParticipant).reserved.has('o-1')).toBe(true);
    // Everything went through the ports it was given: the saga in its store, the messages on its broker.
    expect(await storage.store?.find('o-1')).toMatchObject({ status: SagaStatus.CONFIRMED });
    expect(broker.published.map((m) => m.type)).toEqual(
      expect.arrayContaining(['stock.reserve', 'payment.charge']),
    );
  });

  it('compensates in reverse when the pivot refuses', async () => {
    const engine = app.get(SagaEngine);
    const order = { orderId: 'o-2', item: 'book', card: 'declined' };
    await engine.startSaga('order', order, { sagaId: 'o-2' });
    const saga = await engine.waitUntilEnded('o-2', 5_000);
    expect(saga?.status).toBe(SagaStatus.CANCELLED);
    expect(saga?.steps.map((s) => s.status)).toEqual([StepStatus.COMPENSATED, StepStatus.FAILED]);
    expect(app.get(ShopParticipant).released.has('o-2')).toBe(true);
  });
});

describe('SagaModule options', () => {
  it('refuses to start without a transport or an AMQP URL, naming both', async () => {
    const module = Test.createTestingModule({
      imports: [SagaModule.forRoot({ ...SHOP, store: inMemoryStorage() })],
      controllers: [ShopParticipant],
    });
    await expect(module.compile()).rejects.toThrow(/give a transport .* or amqpUrl/);
  });
});
