import { SagaMachineFactory } from '../model/saga-machine';
import { ChoreographyDefinition, isChoreography } from './choreography-definition';
import { ChoreographySpec } from '../definition/choreography-spec';
import { ChoreographyStateMachine } from './choreography-state-machine';

/** Choreographed sagas: followed from the participants' events, with a deadline in every phase. */
export const CHOREOGRAPHY_MACHINES: SagaMachineFactory<ChoreographySpec> = {
  style: 'choreography',
  accepts: (definition) => isChoreography(definition),
  create: (definition, env) =>
    new ChoreographyStateMachine(definition as ChoreographyDefinition<unknown>, env),
};
