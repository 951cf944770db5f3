import {
  ArgumentsHost,
  CallHandler,
  Catch,
  Controller,
  ExecutionContext,
  Injectable,
  INestMicroservice,
  NestInterceptor,
  ValidationPipe,
} from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsInt, IsString, Min } from 'class-validator';
import { Observable, tap } from 'rxjs';
import { commandEndpoint } from '../definition/command-endpoint';
import { defineSaga } from '../definition/saga-definition.builder';
import { SagaEngine } from '../engine/saga-engine';
import { TerminalStepError } from '../errors/terminal-step.error';
import { SagaParticipantModule } from './saga-participant.module';
import { SagaStatus } from '../model/saga-status';
import { SagaModule } from '../saga-core.module';
import { inMemoryStorage, inMemoryTransport } from '../testing/in-memory.adapters';
import { InMemoryTransport } from '../testing/in-memory.transport';
import { ReplyMessage } from '../transport/message-envelope';
import { CommandHandler } from '../participant/command-handler.decorator';
import { INVALID_PAYLOAD, validatePayload } from '../participant/command-payload.validation';
import { SagaMessageContext } from '../participant/saga-message.context';
import { SagaMessageServer } from './saga-message.server';
import { SagaStepParticipant } from '../participant/saga-step-participant';

interface Order {
  orderId: string;
  qty: number;
  card: string;
  extra?: string;
}

class ReserveDto {
  @IsString() orderId!: string;
  @IsInt() @Min(1) qty!: number;
}

const Shop = {
  reserve: commandEndpoint<{ orderId: string; qty: number }>('shop.commands', 'stock.reserve'),
  release: commandEndpoint<{ orderId: string }>('shop.commands', 'stock.release'),
  charge: commandEndpoint<{ orderId: string; card: string }>('shop.commands', 'payment.charge'),
};

const orderSaga = defineSaga<Order>('order', 1)
  .step('stock')
  .invokeParticipant(Shop.reserve, (o) => ({
    orderId: o.orderId,
    qty: o.qty,
    ...(o.extra ? { extra: o.extra } : {}),
  }))
  .withCompensation(Shop.release, (o) => ({ orderId: o.orderId }))
  .step('payment')
  .invokeParticipant(Shop.charge, (o) => ({ orderId: o.orderId, card: o.card }))
  .pivot()
  .build();

@Injectable()
class StockStep implements SagaStepParticipant<{ orderId: string; qty: number }> {
  readonly held = new Set<string>();
  async run(request: { orderId: string }) {
    this.held.add(request.orderId);
  }
  async undo(request: { orderId: string }) {
    this.held.delete(request.orderId);
  }
}

/** A hand-written message controller beside the kit's adapter. */
@Controller()
class PaymentController {
  @CommandHandler(Shop.charge)
  charge(command: { card: string }) {
    if (command.card === 'declined') throw new TerminalStepError('CARD_DECLINED', 'declined');
    return {};
  }
}

/** The app's own interceptor: counts the messages it sees, by pattern and outcome. */
class CountingInterceptor implements NestInterceptor {
  readonly seen: string[] = [];
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { pattern } = context.switchToRpc().getContext<SagaMessageContext>();
    return next.handle().pipe(
      tap({
        next: () => this.seen.push(`${pattern}:ok`),
        error: () => this.seen.push(`${pattern}:error`),
      }),
    );
  }
}

/** The app's own filter, which answers as Nest's default one does (`{ status: 'error' }`). */
@Catch()
class SeenFilter extends BaseRpcExceptionFilter {
  readonly seen: string[] = [];
  override catch(exception: unknown, host: ArgumentsHost) {
    this.seen.push(host.switchToRpc().getContext<SagaMessageContext>().pattern);
    return super.catch(exception, host);
  }
}

describe('SagaMessageServer: messages through the Nest pipeline', () => {
  let app: INestMicroservice;
  const broker = new InMemoryTransport();
  const interceptor = new CountingInterceptor();
  const filter = new SeenFilter();

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          serviceName: 'shop',
          orchestrator: { definitions: [orderSaga], replyQueue: 'shop.replies' },
          participant: { channel: 'shop.commands', replyQueues: ['shop.replies'] },
          store: inMemoryStorage(),
          transport: inMemoryTransport(broker),
        }),
        SagaParticipantModule.forFeature([
          { saga: orderSaga, step: 'stock', use: StockStep, requests: { run: ReserveDto } },
        ]),
      ],
      controllers: [PaymentController],
      providers: [StockStep],
    }).compile();
    app = module.createNestMicroservice({
      strategy: module.get(SagaMessageServer),
      logger: false,
    });
    app.useGlobalInterceptors(interceptor);
    app.useGlobalFilters(filter);
    app.useGlobalPipes(
      new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }),
    );
    await app.listen();
  });

  afterAll(() => app?.close());

  async function run(order: Order) {
    const engine = app.get(SagaEngine);
    await engine.startSaga('order', order, { sagaId: order.orderId });
    return engine.waitUntilEnded(order.orderId, 5_000);
  }

  function replyTo(type: string, sagaId: string): ReplyMessage | undefined {
    return broker.published
      .map((m) => m.body as ReplyMessage)
      .find((r) => r.type === `${type}.reply` && r.sagaId === sagaId);
  }

  it('runs each command through the app interceptors, a refusal through its filters', async () => {
    expect((await run({ orderId: 'o-1', qty: 2, card: 'ok' }))?.status).toBe(SagaStatus.CONFIRMED);
    expect(app.get(StockStep).held.has('o-1')).toBe(true);
    const declined = await run({ orderId: 'o-2', qty: 1, card: 'declined' });
    expect(declined?.status).toBe(SagaStatus.CANCELLED);
    expect(replyTo('payment.charge', 'o-2')?.error).toEqual({
      code: 'CARD_DECLINED',
      message: 'declined',
      retryable: false,
    });
    expect(interceptor.seen).toEqual([
      'stock.reserve:ok',
      'payment.charge:ok',
      'stock.reserve:ok',
      'payment.charge:error',
      'stock.release:ok',
    ]);
    expect(filter.seen).toEqual(['payment.charge']);
  });

  it('refuses a payload the global ValidationPipe rejects, with the reply the kit gives', async () => {
    const bad = await run({ orderId: 'o-3', qty: 0, card: 'ok' });
    expect(bad?.status).toBe(SagaStatus.CANCELLED);
    let own: unknown;
    try {
      validatePayload(ReserveDto, { orderId: 'o-3', qty: 0 });
    } catch (error) {
      own = error;
    }
    expect(own).toBeInstanceOf(TerminalStepError);
    expect(replyTo('stock.reserve', 'o-3')?.error).toEqual({
      code: INVALID_PAYLOAD,
      message: (own as Error).message,
      retryable: false,
    });
    // Only the pipe forbids a property the DTO does not declare: the refusal is the pipe's.
    await run({ orderId: 'o-4', qty: 1, card: 'ok', extra: 'x' });
    expect(replyTo('stock.reserve', 'o-4')?.error).toEqual({
      code: INVALID_PAYLOAD,
      message: 'ReserveDto: property extra should not exist',
      retryable: false,
    });
    expect(app.get(StockStep).held.has('o-4')).toBe(false);
    expect(interceptor.seen.slice(-2)).toEqual(['stock.reserve:error', 'stock.reserve:error']);
  });
});
