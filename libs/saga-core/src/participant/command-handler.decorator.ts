import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { CommandEndpoint } from '../definition/command-endpoint';
import { SAGA_FAILURE_INTERCEPTOR } from './saga-failure.interceptor';

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
 * throws becomes a failure reply, and any other error retries the message. It is also the
 * method's `@MessagePattern(type)`: on a controller, the `SagaMessageServer` runs it through
 * Nest's pipeline (pipes, guards, interceptors, filters), its own `SagaFailureInterceptor`
 * innermost so that no filter's answer hides a refusal. A provider's method (Nest registers
 * none as a message handler) is called as it is.
 */
export function CommandHandler(
  endpoint: CommandEndpoint<unknown, unknown> | CommandHandlerMetadata,
): MethodDecorator {
  const metadata: CommandHandlerMetadata = { channel: endpoint.channel, type: endpoint.type };
  return applyDecorators(
    SetMetadata(COMMAND_HANDLER_METADATA, metadata),
    MessagePattern(metadata.type),
    UseInterceptors(SAGA_FAILURE_INTERCEPTOR),
  );
}
