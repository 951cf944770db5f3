import { OutgoingMessage } from '../transport/message-envelope';
import { AuditEntry } from './audit-entry';
import { SagaInstance, SagaTimer } from './saga-instance';

/**
 * Everything one event does to a saga, decided without I/O and then committed in a single
 * transaction: the new state, its audit lines, the commands to publish, and its timer.
 */
export interface SagaTransition<Data = unknown> {
  instance: SagaInstance<Data>;
  audit: AuditEntry[];
  messages: OutgoingMessage[];
  /** The timer to set; null clears it; undefined leaves it as it is. */
  timer: SagaTimer | null | undefined;
}
