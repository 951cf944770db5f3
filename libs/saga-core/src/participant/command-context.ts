import { EntityManager } from 'typeorm';
import { CommandPhase } from '../transport/message-envelope';

/** What a `@CommandHandler` method gets beside the payload. */
export interface CommandContext {
  sagaId: string;
  messageId: string;
  step: string;
  phase: CommandPhase;
  /** 1 for the first try of this step or compensation, then 2, 3… (each a new message). */
  attempt: number;
  /**
   * The local transaction: the inbox row and the reply commit or roll back with what the
   * handler writes here. A refusal rolls back the handler's writes, not the inbox row.
   */
  manager: EntityManager;
  /** The command's headers (`x-saga-faults`, trace context…), as the transport delivered them. */
  headers: Readonly<Record<string, unknown>>;
  /** Fault injection: the handler's work commits, but the reply is never sent. */
  suppressReply(): void;
}
