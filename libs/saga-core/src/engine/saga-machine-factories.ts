import { PersistedSpec } from '../persistence/saga-store.port';
import { SagaMachine, SagaMachineFactory } from '../model/saga-machine';

/** Token of the coordination styles an engine runs: one `SagaMachineFactory` per style. */
export const SAGA_MACHINE_FACTORIES = Symbol('SAGA_MACHINE_FACTORIES');

/** A registered saga's machine, whatever its style. */
export type RegisteredMachine = SagaMachine<unknown, PersistedSpec>;

export type MachineFactories = readonly SagaMachineFactory<PersistedSpec>[];
