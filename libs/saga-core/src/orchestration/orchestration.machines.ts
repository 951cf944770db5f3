import { SagaDefinition } from '../definition/saga-definition';
import { SagaSpec } from '../definition/saga-spec';
import { SagaMachineFactory } from '../model/saga-machine';
import { SagaStateMachine } from './saga-state-machine';

/** Orchestrated sagas: a definition built by `SagaDefinitionBuilder`, run by commands and replies. */
export const ORCHESTRATION_MACHINES: SagaMachineFactory<SagaSpec> = {
  style: 'orchestration',
  accepts: (definition) => !('style' in definition.spec),
  create: (definition, env) => new SagaStateMachine(definition as SagaDefinition<unknown>, env),
};
