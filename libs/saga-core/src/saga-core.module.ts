import {
  DynamicModule,
  FactoryProvider,
  Global,
  Module,
  ModuleMetadata,
  Provider,
  Type,
} from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
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
import { INBOX } from './participant/inbox.port';
import { InboundDeps } from './participant/inbound-dispatcher';
import { ParticipantDispatcher } from './participant/participant-dispatcher';
import { SagaMessageServer } from './kit/saga-message.server';
import { SAGA_STORE } from './persistence/saga-store.port';
import { typeOrmStorage } from './persistence/typeorm/typeorm.storage';
import { SagaAdapterContext, SagaStoragePorts } from './persistence/saga-storage';
import { GAUGE_STORE } from './health/gauge-store.port';
import { RETENTION_STORE } from './messaging/retention-store.port';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from './saga-core.options';
import { SagaLifecycle } from './saga-lifecycle';
import { SagaHealthIndicator } from './saga-health.indicator';
import { MessageTransport } from './transport/message-transport';
import { rabbitMqTransport } from './transport/rabbitmq/rabbitmq.saga-transport';
import { SagaTransport } from './transport/saga-transport';

const DEFAULT_RETENTION = {
  inboxRetentionMs: 86_400_000,
  outboxRetentionMs: 3_600_000,
  intervalMs: 60_000,
};

/** The storage ports, opened once per app. */
const SAGA_STORAGE = Symbol('SAGA_STORAGE');

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
/**
 * Wires the engine into a Nest app on the ports it is given: `store` (default
 * `typeOrmStorage()`, the app's TypeORM `DataSource` on PostgreSQL) and `transport` (default
 * `rabbitMqTransport({ url: amqpUrl })`). The outbox relay always runs; the `SagaEngine`
 * (with its reply consumer and timers) when `orchestrator` is set; the `@CommandHandler`
 * dispatcher when `participant` is set; the `@EventHandler` dispatcher when `choreography` is.
 */
@Global()
@Module({})
export class SagaModule {
  /** The module on options known when the app is built. */
  static forRoot(options: SagaCoreOptions): DynamicModule {
    return SagaModule.forRootAsync({ useFactory: () => options });
  }

  /** The module on options read at start, e.g. from `ConfigService`. */
  static forRootAsync(options: SagaCoreAsyncOptions): DynamicModule {
    const providers: Provider[] = [
      {
        provide: SAGA_CORE_OPTIONS,
        useFactory: async (...args: never[]) => checkedOptions(await options.useFactory(...args)),
        inject: options.inject ?? [],
      },
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
        inject: [SAGA_CORE_OPTIONS, FAULT_HOOKS, ModuleRef],
        useFactory: (o: SagaCoreOptions, faults: FaultHooks, refs: ModuleRef) =>
          transportOf(o).connect(adapterContext(o, faults, refs)),
      },
      {
        provide: SAGA_STORAGE,
        // The app's DataSource, when it has one, is made before the storage opens on it.
        inject: [SAGA_CORE_OPTIONS, FAULT_HOOKS, ModuleRef, { token: DataSource, optional: true }],
        useFactory: (o: SagaCoreOptions, faults: FaultHooks, refs: ModuleRef, ds?: DataSource) =>
          (o.store ?? typeOrmStorage()).open(adapterContext(o, faults, refs, ds)),
      },
      port(OUTBOX_STORE, (ports) => ports.outbox),
      port(INBOX, (ports) => ports.inbox),
      port(SAGA_STORE, (ports) => ports.store),
      port(RETENTION_STORE, (ports) => ports.retention ?? null),
      port(GAUGE_STORE, (ports) => ports.gauges ?? null),
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
        inject: [SAGA_STORAGE, SAGA_CORE_OPTIONS],
        useFactory: (ports: SagaStoragePorts, o: SagaCoreOptions) =>
          ports.retention
            ? new RetentionJob(ports.retention, o.retention ?? DEFAULT_RETENTION)
            : null,
      },
      SagaEngine,
      FaultRules,
      InboundDeps,
      ParticipantDispatcher,
      ChoreographyDispatcher,
      SagaMessageServer,
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
        INBOX,
        SAGA_STORE,
        OutboxRelay,
        RetentionJob,
        SagaEngine,
        SagaMessageServer,
        SagaHealthIndicator,
        FaultRules,
      ],
    };
  }
}

function port<T>(token: symbol, pick: (ports: SagaStoragePorts) => T): Provider {
  return { provide: token, inject: [SAGA_STORAGE], useFactory: pick };
}

function transportOf(o: SagaCoreOptions): SagaTransport {
  if (o.transport) return o.transport;
  return rabbitMqTransport({ url: o.amqpUrl as string });
}

function adapterContext(
  o: SagaCoreOptions,
  faults: FaultHooks,
  refs: ModuleRef,
  dataSource?: DataSource,
): SagaAdapterContext {
  return {
    serviceName: o.serviceName,
    faults,
    deliveryLimit: o.deliveryLimit,
    readPoolSize: o.orchestrator?.reads?.poolSize,
    resolve: <T>(token: Type<T> | string | symbol): T =>
      token === DataSource && dataSource ? (dataSource as T) : refs.get(token, { strict: false }),
  };
}

/** Fails the app's start, naming the option, when the module cannot be wired as asked. */
function checkedOptions(o: SagaCoreOptions): SagaCoreOptions {
  if (!o.serviceName) throw new Error('SagaModule: serviceName is required');
  if (!o.transport && !o.amqpUrl) {
    throw new Error('SagaModule: give a transport (e.g. rabbitMqTransport({ url })) or amqpUrl');
  }
  return o;
}
