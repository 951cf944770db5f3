import { Inject, Injectable } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { ChoreographyDispatcher } from '../choreography/choreography-dispatcher';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { ParticipantDispatcher } from '../participant/participant-dispatcher';

/**
 * The participant's messages as a Nest custom transport: connect it with
 * `app.connectMicroservice({ strategy: app.get(SagaMessageServer) }, { inheritAppConfig: true })`
 * (or create a microservice on it) and the app's `@MessagePattern` / `@EventPattern` methods
 * (the kit's adapters) register their pipelines here. `listen` starts the command and event
 * dispatchers, which consume the app's queues and, inside each message's inbox claim and local
 * transaction, call the handler of its type through that pipeline: pipes, guards, interceptors
 * and exception filters run on every command and event. Inbox, outbox, retries and faults stay
 * the dispatchers'.
 */
@Injectable()
export class SagaMessageServer extends Server implements CustomTransportStrategy {
  constructor(
    @Inject(SAGA_CORE_OPTIONS) private readonly options: SagaCoreOptions,
    private readonly commands: ParticipantDispatcher,
    private readonly events: ChoreographyDispatcher,
  ) {
    super();
  }

  /** Whether this app consumes anything through the server: commands, events or both. */
  get consumes(): boolean {
    return Boolean(this.options.participant ?? this.options.choreography);
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /**
   * Nothing to do here: the consumers stop with the app's transport, which `SagaModule` closes
   * at shutdown once the messages in hand are settled. Refusing deliveries before that would
   * requeue them, and each requeue counts towards the queue's delivery limit.
   */
  close(): Promise<void> {
    return Promise.resolve();
  }

  on(): never {
    throw new Error('SagaMessageServer emits no events');
  }

  unwrap<T>(): T {
    throw new Error('SagaMessageServer has no client of its own: the app has its MessageTransport');
  }

  private async start(): Promise<void> {
    if (this.options.participant) await this.commands.start(this);
    if (this.options.choreography) await this.events.start(this);
  }
}
