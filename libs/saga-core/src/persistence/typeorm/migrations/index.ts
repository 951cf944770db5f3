import { Messaging1732250000000 } from './1732250000000-messaging.migration';
import { SagaEngine1732250000001 } from './1732250000001-saga-engine.migration';
import { TimerFailures1732250000010 } from './1732250000010-timer-failures.migration';
import { StepMayHaveTakenEffect1732250000011 } from './1732250000011-step-may-have-taken-effect.migration';
import { OutboxParking1732250000020 } from './1732250000020-outbox-parking.migration';
import { AuditPerTransition1732250000030 } from './1732250000030-audit-per-transition.migration';
import { StepsInInstance1732250000031 } from './1732250000031-steps-in-instance.migration';
import { EventJoins1732250000040 } from './1732250000040-event-joins.migration';

/** For apps that only send and consume messages (the participants). */
export const messagingMigrations = [
  Messaging1732250000000,
  OutboxParking1732250000020,
  EventJoins1732250000040,
];

/** For the orchestrator: messaging plus the engine's own tables. */
export const sagaEngineMigrations = [
  ...messagingMigrations,
  SagaEngine1732250000001,
  TimerFailures1732250000010,
  StepMayHaveTakenEffect1732250000011,
  AuditPerTransition1732250000030,
  StepsInInstance1732250000031,
];
