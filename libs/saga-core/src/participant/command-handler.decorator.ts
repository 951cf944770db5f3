import { SetMetadata } from '@nestjs/common';
import { CommandEndpoint } from '../definition/command-endpoint';

/** Reflection key under which `@CommandHandler` records the command a method handles. */
export const COMMAND_HANDLER_METADATA = 'saga-core:command-handler';

/** What `@CommandHandler` records: the queue and the command type. */
export interface CommandHandlerMetadata {
  channel: string;
  type: string;
}

/**
 * Marks a provider or controller method as the handler of one command type. The method is
 * called as `(payload, ctx: CommandContext)` in the participant's local transaction; what it
 * returns is the success reply's payload, a `TerminalStepError` or `RetryableStepError` it
 * throws becomes a failure reply, and any other error retries the message.
 */
export function CommandHandler(
  endpoint: CommandEndpoint<unknown, unknown> | CommandHandlerMetadata,
): MethodDecorator {
  const metadata: CommandHandlerMetadata = { channel: endpoint.channel, type: endpoint.type };
  return SetMetadata(COMMAND_HANDLER_METADATA, metadata);
}
