import { ChoreographyDefinition, isChoreography } from '../choreography/choreography-definition';
import { ChoreographyStateMachine } from '../choreography/choreography-state-machine';
import { SagaDefinition, definitionKey } from '../definition/saga-definition';
import { DefinitionError } from '../errors/definition.error';
import { UnregisteredDefinitionError } from '../errors/unregistered-definition.error';
import { DefinitionRef, PersistedSpec } from '../persistence/saga-store.port';
import { SagaStateMachine, StateMachineEnvironment } from '../orchestration/saga-state-machine';

/** A registered saga, orchestrated (commands and replies) or choreographed (events). */
export type SagaMachine = SagaStateMachine<unknown> | ChoreographyStateMachine<unknown>;

/**
 * The sagas an app runs, by name and version: a saga instance stays pinned to the version it
 * started on, and new instances start on the latest one.
 */
export class SagaRegistry {
  private readonly machines = new Map<string, SagaMachine>();
  private readonly latestByName = new Map<string, SagaMachine>();

  constructor(private readonly env: StateMachineEnvironment & { source: string }) {}

  register(definition: SagaDefinition<unknown> | ChoreographyDefinition<unknown>): void {
    const machine: SagaMachine = isChoreography(definition)
      ? new ChoreographyStateMachine(definition, this.env)
      : new SagaStateMachine(definition as SagaDefinition<unknown>, this.env);
    const { name, version } = machine.spec;
    this.machines.set(definitionKey(name, version), machine);
    const current = this.latestByName.get(name);
    if (!current || current.spec.version < version) this.latestByName.set(name, machine);
  }

  machine(name: string, version: number): SagaMachine {
    const machine = this.machines.get(definitionKey(name, version));
    if (!machine) {
      throw new UnregisteredDefinitionError(
        `saga ${name} version ${version} is not registered in this app`,
      );
    }
    return machine;
  }

  has(name: string, version: number): boolean {
    return this.machines.has(definitionKey(name, version));
  }

  /** Every registered name and version, older versions included. */
  registered(): DefinitionRef[] {
    return [...this.machines.values()].map(({ spec }) => ({
      name: spec.name,
      version: spec.version,
    }));
  }

  latest(name: string): SagaMachine {
    const machine = this.latestByName.get(name);
    if (!machine) throw new DefinitionError(`no saga definition named ${name}`);
    return machine;
  }

  specs(): PersistedSpec[] {
    return [...this.latestByName.values()].map((m) => m.spec);
  }

  /** The queues the orchestrated sagas send commands to. */
  commandChannels(): Set<string> {
    const channels = new Set<string>();
    for (const machine of this.machines.values()) {
      if (!(machine instanceof SagaStateMachine)) continue;
      for (const step of machine.spec.steps) {
        channels.add(step.command.channel);
        if (step.compensation) channels.add(step.compensation.channel);
      }
    }
    return channels;
  }

  /** The events the choreographed sagas follow, by exchange. */
  observedEvents(): Map<string, Set<string>> {
    const byExchange = new Map<string, Set<string>>();
    for (const machine of this.machines.values()) {
      if (!(machine instanceof ChoreographyStateMachine)) continue;
      for (const step of machine.spec.steps) {
        for (const event of [
          step.succeeded,
          step.failed,
          step.compensated,
          step.compensationFailed,
        ]) {
          const types = byExchange.get(event.exchange) ?? new Set<string>();
          types.add(event.type);
          byExchange.set(event.exchange, types);
        }
      }
    }
    return byExchange;
  }
}
