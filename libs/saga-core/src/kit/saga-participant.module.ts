import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { SagaStepParticipant } from '../participant/saga-step-participant';
import { SagaStepBinding } from './saga-step.binding';
import { sagaStepAdapterClass } from './saga-step-adapters';

/** A step the app runs, and the provider that implements it. */
export interface SagaStepRegistration<Data = unknown> extends SagaStepBinding<Data> {
  /** The app's provider implementing the step (declared in one of the app's modules). */
  use: Type<SagaStepParticipant>;
}

/**
 * The participant kit: each step a service runs is registered once, and the kit mounts its
 * command adapter and (with a choreography) its event adapter, subscribed to what the saga's
 * definition says the step reacts to. The app keeps `SagaModule.forRoot({ participant,
 * choreography })` for the queues and declares the `use` providers in its own modules.
 *
 * ```ts
 * SagaParticipantModule.forFeature([
 *   { saga: tripSaga, choreography: tripChoreography, step: 'flight', use: FlightStep },
 * ])
 * ```
 */
@Module({})
export class SagaParticipantModule {
  static forFeature<Data>(steps: readonly SagaStepRegistration<Data>[]): DynamicModule {
    const providers: Provider[] = steps.map((registration) => {
      const Adapter = sagaStepAdapterClass(registration as SagaStepBinding<unknown>);
      return {
        provide: Adapter,
        inject: [ModuleRef],
        useFactory: (modules: ModuleRef) => {
          let participant: SagaStepParticipant | null = null;
          return new Adapter(() => (participant ??= resolve(modules, registration.use)));
        },
      };
    });
    return { module: SagaParticipantModule, providers };
  }
}

function resolve(modules: ModuleRef, use: Type<SagaStepParticipant>): SagaStepParticipant {
  try {
    return modules.get(use, { strict: false });
  } catch {
    throw new Error(`${use.name} runs a saga step but is not a provider of this app`);
  }
}
