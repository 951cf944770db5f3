import {
  DynamicModule,
  FactoryProvider,
  Global,
  Module,
  ModuleMetadata,
  Provider,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { CHOREOGRAPHY_MACHINES } from './choreography/choreography.machines';
import { ChoreographyDispatcher } from './choreography/choreography-dispatcher';
import { SagaEngine } from './engine/saga-engine';
import { SAGA_MACHINE_FACTORIES } from './engine/saga-machine-factories';
import { FAULT_HOOKS, FaultHooks, NO_FAULTS } from './model/fault-hooks';
import { ORCHESTRATION_MACHINES } from './orchestration/orchestration.machines';
import { FaultRules } from './faults/fault-rules';
import { SagaGaugesCollector } from './health/saga-gauges.collector';
import { OutboxRelay } from './messaging/outbox-relay';
import { OUTBOX_STORE, OutboxStore } from './messaging/outbox-store.port';
import { RetentionJob } from './messaging/retention-job';
import { TypeOrmRetentionStore } from './persistence/typeorm/typeorm-retention.store';
import { INBOX } from './participant/inbox.port';
import { ParticipantDispatcher } from './participant/participant-dispatcher';
import { TypeOrmInbox } from './persistence/typeorm/typeorm-inbox';
import { SAGA_STORE } from './persistence/saga-store.port';
import { TypeOrmOutboxStore } from './persistence/typeorm/typeorm-outbox.store';
import { TypeOrmSagaStore } from './persistence/typeorm/typeorm-saga.store';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from './saga-core.options';
import { SagaLifecycle } from './saga-lifecycle';
import { SagaHealthIndicator } from './saga-health.indicator';
import { MessageTransport } from './transport/message-transport';
import { RabbitMqTransport } from './transport/rabbitmq/rabbitmq.transport';

const DEFAULT_RETENTION = {
  inboxRetentionMs: 86_400_000,
  outboxRetentionMs: 3_600_000,
  intervalMs: 60_000,
};

export interface SagaCoreAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => SagaCoreOptions | Promise<SagaCoreOptions>;
  inject?: FactoryProvider['inject'];
}

/**
 * Wires the engine into a Nest app on the app's TypeORM `DataSource` (PostgreSQL) and
 * RabbitMQ: the outbox relay always; the `SagaEngine` (with its reply consumer and timers)
 * when `orchestrator` is set; the `@CommandHandler` dispatcher when `participant` is set; the
 * `@EventHandler` dispatcher when `choreography` is set.
 */
@Global()
@Module({})
export class SagaModule {
  static forRootAsync(options: SagaCoreAsyncOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: SAGA_CORE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
      {
        provide: FAULT_HOOKS,
        inject: [SAGA_CORE_OPTIONS],
        useFactory: (o: SagaCoreOptions) => o.faultHooks ?? NO_FAULTS,
      },
      {
        provide: SAGA_MACHINE_FACTORIES,
        inject: [SAGA_CORE_OPTIONS],
        useFactory: (o: SagaCoreOptions) =>
          o.styles ?? [ORCHESTRATION_MACHINES, CHOREOGRAPHY_MACHINES],
      },
      {
        provide: MessageTransport,
        inject: [SAGA_CORE_OPTIONS, FAULT_HOOKS],
        useFactory: async (o: SagaCoreOptions, faults: FaultHooks) => {
          const transport = new RabbitMqTransport({
            url: o.amqpUrl,
            connectionName: o.serviceName,
            deliveryLimit: o.deliveryLimit,
            faults,
          });
          await transport.init();
          return transport;
        },
      },
      {
        provide: OUTBOX_STORE,
        inject: [DataSource],
        useFactory: (ds: DataSource) => new TypeOrmOutboxStore(ds),
      },
      {
        provide: INBOX,
        inject: [DataSource],
        useFactory: (ds: DataSource) => new TypeOrmInbox(ds),
      },
      {
        provide: SAGA_STORE,
        inject: [DataSource, SAGA_CORE_OPTIONS, FAULT_HOOKS],
        useFactory: (ds: DataSource, o: SagaCoreOptions, faults: FaultHooks) =>
          new TypeOrmSagaStore(ds, { readPoolSize: o.orchestrator?.reads?.poolSize, faults }),
      },
      {
        provide: OutboxRelay,
        inject: [OUTBOX_STORE, MessageTransport, SAGA_CORE_OPTIONS, FAULT_HOOKS],
        useFactory: (
          store: OutboxStore,
          transport: MessageTransport,
          o: SagaCoreOptions,
          faults: FaultHooks,
        ) => new OutboxRelay(store, transport, { service: o.serviceName, faults, ...o.relay }),
      },
      {
        provide: RetentionJob,
        inject: [DataSource, SAGA_CORE_OPTIONS],
        useFactory: (ds: DataSource, o: SagaCoreOptions) =>
          new RetentionJob(new TypeOrmRetentionStore(ds), o.retention ?? DEFAULT_RETENTION),
      },
      SagaEngine,
      FaultRules,
      ParticipantDispatcher,
      ChoreographyDispatcher,
      SagaHealthIndicator,
      SagaLifecycle,
      SagaGaugesCollector,
    ];
    return {
      module: SagaModule,
      imports: [...(options.imports ?? []), DiscoveryModule],
      providers,
      exports: [
        SAGA_CORE_OPTIONS,
        FAULT_HOOKS,
        MessageTransport,
        OUTBOX_STORE,
        SAGA_STORE,
        OutboxRelay,
        RetentionJob,
        SagaEngine,
        SagaHealthIndicator,
        FaultRules,
      ],
    };
  }
}
