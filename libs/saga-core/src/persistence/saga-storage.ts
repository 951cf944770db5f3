import type { Type } from '@nestjs/common';
import { GaugeStore } from '../health/gauge-store.port';
import { OutboxStore } from '../messaging/outbox-store.port';
import { RetentionStore } from '../messaging/retention-store.port';
import { FaultHooks } from '../model/fault-hooks';
import { Inbox } from '../participant/inbox.port';
import { SagaStore } from './saga-store.port';

/** What an adapter gets from the module: who it serves, and the app's own providers. */
export interface SagaAdapterContext {
  /** The app's name (`SagaModule` options' `serviceName`). */
  serviceName: string;
  /** The fault points of the engine, for adapters that have some (no-ops by default). */
  faults: FaultHooks;
  /** Connections of the orchestrator's read pool, when it asks for one. */
  readPoolSize?: number;
  /** Broker redeliveries before a message is dead-lettered (`SagaModule`'s `deliveryLimit`). */
  deliveryLimit?: number;
  /** One of the app's providers, e.g. TypeORM's `DataSource` (throws if the app has none). */
  resolve<T>(token: Type<T> | string | symbol): T;
}

/** The storage ports an app's saga engine runs on, all on one database. */
export interface SagaStoragePorts {
  store: SagaStore;
  inbox: Inbox;
  outbox: OutboxStore;
  /** Prunes old inbox, outbox and join rows; without one, nothing is pruned. */
  retention?: RetentionStore;
  /** Cheap reads for `/metrics`; without one, only the queue gauges are scraped. */
  gauges?: GaugeStore;
}

/**
 * Where sagas, their timers, the inbox and the outbox are kept: `typeOrmStorage()` (PostgreSQL
 * through the app's TypeORM `DataSource`) or `inMemoryStorage()` from the testing entry. It is
 * chosen in `SagaModule.forRoot({ store })`.
 */
export interface SagaStorage {
  readonly name: string;
  open(context: SagaAdapterContext): SagaStoragePorts | Promise<SagaStoragePorts>;
}
