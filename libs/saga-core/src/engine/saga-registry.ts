import { definitionKey } from '../definition/saga-definition';
import { DefinitionError } from '../errors/definition.error';
import { UnregisteredDefinitionError } from '../errors/unregistered-definition.error';
import { DefinitionRef, PersistedSpec } from '../persistence/saga-store.port';
import { StateMachineEnvironment } from '../model/saga-machine';
import { MachineFactories, RegisteredMachine } from './saga-machine-factories';
import { MessageHeadersOf, withMessageHeaders } from './message-headers.machine';

/**
 * The sagas an app runs, by name and version: a saga instance stays pinned to the version it
 * started on, and new instances start on the latest one.
 */
export class SagaRegistry {
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly latestByName = new Map<string, RegisteredMachine>();

  constructor(
    private readonly env: StateMachineEnvironment,
    private readonly factories: MachineFactories,
    /** Headers stamped on every message the sagas send (`OrchestratorOptions.messageHeaders`). */
    private readonly headersOf: MessageHeadersOf | null = null,
  ) {}

  /** Registers a built definition of any style this engine runs (`SAGA_MACHINE_FACTORIES`). */
  register(definition: { spec: object }): void {
    const factory = this.factories.find((f) => f.accepts(definition));
    if (!factory) {
      const styles = this.factories.map((f) => f.style).join(', ') || 'none';
      throw new DefinitionError(
        `no registered coordination style runs this definition (${styles})`,
      );
    }
    const created = factory.create(definition, this.env);
    const machine = this.headersOf ? withMessageHeaders(created, this.headersOf) : created;
    const { name, version } = machine.spec;
    this.machines.set(definitionKey(name, version), machine);
    const current = this.latestByName.get(name);
    if (!current || current.spec.version < version) this.latestByName.set(name, machine);
  }

  machine(name: string, version: number): RegisteredMachine {
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

  latest(name: string): RegisteredMachine {
    const machine = this.latestByName.get(name);
    if (!machine) throw new DefinitionError(`no saga definition named ${name}`);
    return machine;
  }

  specs(): PersistedSpec[] {
    return [...this.latestByName.values()].map((m) => m.spec);
  }

  /** The queues the sagas send commands to. */
  commandChannels(): Set<string> {
    const channels = new Set<string>();
    for (const machine of this.machines.values()) {
      for (const channel of machine.inputs.commandChannels) channels.add(channel);
    }
    return channels;
  }

  /** The events the sagas follow, by exchange. */
  observedEvents(): Map<string, Set<string>> {
    const byExchange = new Map<string, Set<string>>();
    for (const machine of this.machines.values()) {
      for (const event of machine.inputs.events) {
        const types = byExchange.get(event.exchange) ?? new Set<string>();
        types.add(event.type);
        byExchange.set(event.exchange, types);
      }
    }
    return byExchange;
  }
}
