import { ApiExcludeController } from '@nestjs/swagger';
import { Controller, DynamicModule, Module, Type } from '@nestjs/common';
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
 * definition says the step reacts to, as a message controller of the app's
 * `SagaMessageServer`. The app keeps `SagaModule.forRoot({ participant, choreography })` for
 * the queues and declares the `use` providers in its own modules.
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
    const controllers = steps.map((registration) => {
      const Adapter = sagaStepAdapterClass(registration as SagaStepBinding<unknown>);
      // A controller, as Nest registers message handlers of controllers only.
      const Mounted = class extends Adapter {
        constructor(modules: ModuleRef) {
          let participant: SagaStepParticipant | null = null;
          super(() => (participant ??= resolve(modules, registration.use)));
        }
      };
      Object.defineProperty(Mounted, 'name', { value: Adapter.name });
      Reflect.defineMetadata('design:paramtypes', [ModuleRef], Mounted);
      Controller()(Mounted);
      // It has no HTTP route: nothing of it belongs in the app's OpenAPI document.
      ApiExcludeController()(Mounted);
      return Mounted;
    });
    return { module: SagaParticipantModule, controllers };
  }
}

function resolve(modules: ModuleRef, use: Type<SagaStepParticipant>): SagaStepParticipant {
  try {
    return modules.get(use, { strict: false });
  } catch {
    throw new Error(`${use.name} runs a saga step but is not a provider of this app`);
  }
}
