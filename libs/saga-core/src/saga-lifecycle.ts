import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SagaEngine } from './engine/saga-engine';
import { OutboxRelay } from './messaging/outbox-relay';
import { RetentionJob } from './messaging/retention-job';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from './saga-core.options';
import { MessageTransport } from './transport/message-transport';

/**
 * Starts the engine only once the whole app is up (so no message meets a half-built app), and
 * stops in reverse: consumers and timers first, then the relay, then the broker connection. A
 * participant's queues are consumed by `SagaMessageServer`, when the app starts it as its
 * microservice.
 */
@Injectable()
export class SagaLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(SAGA_CORE_OPTIONS) private readonly options: SagaCoreOptions,
    private readonly transport: MessageTransport,
    private readonly relay: OutboxRelay,
    private readonly engine: SagaEngine,
    @Inject(RetentionJob) private readonly retention: RetentionJob | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.relay.start();
    this.retention?.start();
    if (this.options.orchestrator) await this.engine.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine.stop();
    await this.retention?.stop();
    await this.relay.stop();
    await this.transport.close();
  }
}
