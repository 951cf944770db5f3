import { InboundDeps } from './inbound-dispatcher';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { TypeOrmInbox } from '../persistence/typeorm/typeorm-inbox';
import { FaultRules } from '../faults/fault-rules';
import { OutboxRelay } from '../messaging/outbox-relay';
import { SagaCoreOptions } from '../saga-core.options';
import { MessageHandler, MessageTransport, QueueSpec } from '../transport/message-transport';
import { CommandHandler } from './command-handler.decorator';
import { ParticipantDispatcher } from './participant-dispatcher';

class FlightHandlers {
  @CommandHandler({ channel: 'flight.commands', type: 'flight.reserve' })
  reserve(): string {
    return 'reserved';
  }

  @CommandHandler({ channel: 'flight.commands', type: 'flight.cancel' })
  cancel(): void {}

  notAHandler(): void {}
}

class DuplicateReserve {
  @CommandHandler({ channel: 'flight.commands', type: 'flight.reserve' })
  again(): void {}
}

class HotelHandlers {
  @CommandHandler({ channel: 'hotel.commands', type: 'hotel.reserve' })
  reserve(): void {}
}

/** Records what the dispatcher declares and consumes; the broker is not needed for wiring. */
class RecordingTransport {
  readonly declared: QueueSpec[] = [];
  readonly consumed: QueueSpec[] = [];

  async declareQueue(queue: QueueSpec): Promise<void> {
    this.declared.push(queue);
  }

  async consume(queue: QueueSpec, _handler: MessageHandler): Promise<void> {
    this.consumed.push(queue);
  }
}

function dispatcherFor(
  instances: object[],
  participant: SagaCoreOptions['participant'] | null = { channel: 'flight.commands' },
): { dispatcher: ParticipantDispatcher; transport: RecordingTransport } {
  const transport = new RecordingTransport();
  const wrappers = instances.map((instance) => ({ instance, isDependencyTreeStatic: () => true }));
  const discovery = { getProviders: () => wrappers, getControllers: () => [] };
  const options: SagaCoreOptions = {
    serviceName: 'flight-service',
    amqpUrl: 'amqp://localhost',
    participant: participant ?? undefined,
  };
  const dispatcher = new ParticipantDispatcher(
    new InboundDeps(
      options,
      transport as unknown as MessageTransport,
      {} as OutboxRelay,
      new TypeOrmInbox({} as DataSource),
      discovery as unknown as DiscoveryService,
      new MetadataScanner(),
      new FaultRules(options),
    ),
  );
  return { dispatcher, transport };
}

describe('ParticipantDispatcher wiring', () => {
  it('finds every @CommandHandler and consumes the channel with the default prefetch', async () => {
    const handlers = new FlightHandlers();
    // The same instance twice, as a `useExisting` alias shows it.
    const { dispatcher, transport } = dispatcherFor([handlers, handlers, {}]);
    await dispatcher.start();
    expect([...dispatcher.handledTypes].sort()).toEqual(['flight.cancel', 'flight.reserve']);
    expect(transport.consumed).toEqual([{ name: 'flight.commands', prefetch: 32 }]);
    // The reply queue it answers on, from its own configuration, then its command queue.
    expect(transport.declared.map((q) => q.name)).toEqual(['saga.replies', 'flight.commands']);
  });

  it('uses the configured prefetch', async () => {
    const { dispatcher, transport } = dispatcherFor([new FlightHandlers()], {
      channel: 'flight.commands',
      prefetch: 4,
    });
    await dispatcher.start();
    expect(transport.consumed).toEqual([{ name: 'flight.commands', prefetch: 4 }]);
  });

  it('refuses to start with two handlers for one command type', async () => {
    const { dispatcher } = dispatcherFor([new FlightHandlers(), new DuplicateReserve()]);
    await expect(dispatcher.start()).rejects.toThrow(
      'flight.reserve has two handlers: FlightHandlers.reserve and DuplicateReserve.again',
    );
  });

  it('refuses to start with a handler for another channel', async () => {
    const { dispatcher } = dispatcherFor([new FlightHandlers(), new HotelHandlers()]);
    await expect(dispatcher.start()).rejects.toThrow(
      'HotelHandlers.reserve handles hotel.reserve on hotel.commands, but this participant consumes flight.commands',
    );
  });

  it('refuses to start without any handler', async () => {
    const { dispatcher, transport } = dispatcherFor([{}]);
    await expect(dispatcher.start()).rejects.toThrow(/No @CommandHandler/);
    expect(transport.consumed).toEqual([]);
  });

  it('does nothing in an app that is not a participant', async () => {
    const { dispatcher, transport } = dispatcherFor([new FlightHandlers()], null);
    await dispatcher.start();
    expect(transport.declared).toEqual([]);
  });
});
