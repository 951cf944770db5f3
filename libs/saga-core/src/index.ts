/** Public API: the DSL, one saga definition built once into plain, versioned data. */
export * from './definition/command-endpoint';
export * from './definition/retry-policy';
export * from './definition/saga-spec';
export * from './definition/saga-definition';
export * from './definition/saga-definition.builder';
export * from './transport/event-message';
export * from './definition/choreography-spec';
export * from './choreography/choreography-definition';
export * from './choreography/choreography-definition.builder';

/** Public API: the module, and the dashboard it can mount. */
export * from './saga-core.options';
export * from './saga-core.module';
export * from './saga-health.indicator';
export * from './dashboard/saga-dashboard.options';
export * from './dashboard/saga-dashboard.openapi';
export * from './dashboard/saga-dashboard.module';
export * from './dashboard/run.view';
export * from './access/api-key-access.options';
export * from './access/api-key-access';
export * from './http/http-request';
export * from './access/read-access.guard';
export * from './access/operator-access.guard';
export * from './access/api-key-access.module';
export * from './access/api-key-security.decorators';

/** Public API: the engine facade, what it starts and what it reports. */
export * from './engine/saga-engine';
export * from './model/saga-status';
export * from './model/step-status';
export * from './model/saga-instance';
export * from './model/audit-entry';
export * from './model/saga-machine';
export * from './model/fault-hooks';
export * from './engine/needs-attention';

/** Public API: decorators and contexts, for participants and choreographed services. */
export * from './participant/command-handler.decorator';
export * from './participant/command-context';
export * from './participant/command-payload.validation';
export * from './choreography/event-handler.decorator';
export * from './choreography/event-filter.decorator';
export * from './choreography/event-context';
export * from './choreography/retry-then-give-up.decorator';

/** Public API: the participant's messages as a Nest custom transport strategy. */
export * from './kit/saga-message.server';
export * from './participant/saga-message.context';
export * from './participant/saga-failure.interceptor';

/** Public API: the participant kit (one domain port per step, both styles derived). */
export * from './participant/saga-step-participant';
export * from './kit/saga-participant.module';
export * from './kit/saga-step.binding';
export * from './kit/saga-step-adapters';
export * from './kit/saga-step.adapter';
export * from './kit/step-faults';
export * from './kit/undo-marker';
export * from './transport/saga-headers';
export * from './validation/safe-text';
export * from './validation/safe-text.pipe';
export * from './validation/compiled-validation';
export * from './validation/compiled-validation.pipe';

/** Public API: errors, each with a stable `code`. */
export * from './errors/saga-error';
export * from './errors/terminal-step.error';
export * from './errors/retryable-step.error';
export * from './errors/poison-message.error';
export * from './errors/concurrent-update.error';
export * from './errors/definition.error';
export * from './errors/idempotency-conflict.error';
export * from './errors/saga-state.error';
export * from './errors/unregistered-definition.error';
export * from './errors/service-busy.error';
export * from './errors/queue-not-found.error';
export * from './errors/injected-fault.error';
export * from './transport/unroutable-message.error';

/** Public API: ports, what an adapter implements. */
export * from './persistence/saga-storage';
export * from './transport/saga-transport';
export * from './participant/inbox.port';
export * from './participant/event-join.port';
export * from './messaging/retention-store.port';
export * from './health/gauge-store.port';
export * from './persistence/saga-store.port';
export * from './messaging/outbox-store.port';
export * from './messaging/messaging-stats.port';
export * from './transport/message-envelope';
export * from './transport/message-transport';
export * from './transport/dead-letters.port';
export * from './transport/dead-letter-headers';

/** Public API: adapters, PostgreSQL (TypeORM) and RabbitMQ, as `SagaModule.forRoot` takes them. */
export * from './persistence/typeorm/typeorm.storage';
export * from './transport/rabbitmq/rabbitmq.saga-transport';
export * from './persistence/typeorm/migrations';
export * from './persistence/typeorm/typeorm-saga.store';
export * from './persistence/typeorm/typeorm-outbox.store';
export * from './persistence/typeorm/prepared-query';
export * from './transport/rabbitmq/rabbitmq-transport.options';
export * from './transport/rabbitmq/rabbitmq.transport';
export * from './transport/rabbitmq/rabbitmq-dead-letters';

/**
 * Internal: exported for the demo apps, the platform library, the tools and the tests of this
 * repository; not part of the public API, and free to change.
 */
export * from './model/saga-transition';
export * from './orchestration/saga-state-machine';
export * from './orchestration/orchestration.machines';
export * from './choreography/choreography.machines';
export * from './engine/saga-machine-factories';
export * from './engine/saga-registry';
export * from './engine/timer-metrics';
export * from './transport/event-message.parser';
export * from './choreography/choreography-dispatcher';
export * from './choreography/choreography-state-machine';
export type { GroupCommitOptions } from './model/group-commit-options';
export * from './participant/inbound-dispatcher';
export * from './participant/participant-dispatcher';
export * from './participant/reply-queue-policy';
export * from './messaging/outbox-relay';
export * from './messaging/retention-job';
export * from './faults/fault-point';
export * from './faults/fault-action';
export * from './faults/fault-rule';
export * from './faults/fault-rule-set';
export * from './faults/fault-rules';
export * from './faults/fault-effects';
export * from './errors/transient-failure';
export * from './persistence/typeorm/pg-session';
export * from './persistence/typeorm/turn-socket';
export * from './openapi/http-error.dto';
export * from './openapi/api-errors.decorator';
export * from './openapi/openapi-document';
export * from './observability/tracing';
export * from './observability/log-scope';
export * from './observability/trace-context';
export * from './diagrams/audit-record';
export * from './diagrams/sequence-parties';
export * from './diagrams/sequence-flow';
export * from './diagrams/sequence-svg';
export * from './diagrams/timeline';
export * from './diagrams/timeline-svg';
export * from './diagrams/svg-text';
