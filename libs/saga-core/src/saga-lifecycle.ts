import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ChoreographyDispatcher } from './choreography/choreography-dispatcher';
import { SagaEngine } from './engine/saga-engine';
import { OutboxRelay } from './messaging/outbox-relay';
import { RetentionJob } from './messaging/retention-job';
import { ParticipantDispatcher } from './participant/participant-dispatcher';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from './saga-core.options';
import { MessageTransport } from './transport/message-transport';

/**
 * Starts consuming only once the whole app is up (so no message meets a half-built app), and
 * stops in reverse: consumers and timers first, then the relay, then the broker connection.
 */
@Injectable()
export class SagaLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(SAGA_CORE_OPTIONS) private readonly options: SagaCoreOptions,
    private readonly transport: MessageTransport,
    private readonly relay: OutboxRelay,
    private readonly engine: SagaEngine,
    private readonly dispatcher: ParticipantDispatcher,
    private readonly choreography: ChoreographyDispatcher,
    @Inject(RetentionJob) private readonly retention: RetentionJob | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.relay.start();
    this.retention?.start();
    if (this.options.orchestrator) await this.engine.start();
    if (this.options.participant) await this.dispatcher.start();
    if (this.options.choreography) await this.choreography.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine.stop();
    await this.retention?.stop();
    await this.relay.stop();
    await this.transport.close();
  }
}
