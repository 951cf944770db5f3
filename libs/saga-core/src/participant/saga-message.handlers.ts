import { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { SagaMessageContext } from './saga-message.context';

/** Where a dispatcher finds the handler of a message type: `SagaMessageServer`, as a rule. */
export interface SagaMessageHandlers {
  getHandlerByPattern(pattern: string): MessageHandler | null;
}

/** A handler method found by its metadata, bound to its instance. */
export interface BoundMessageMethod {
  /** `Class.method`, for configuration errors. */
  name: string;
  types: readonly string[];
  invoke(...args: unknown[]): Promise<unknown>;
}

/**
 * The handlers of `methods` called as they are, without Nest's pipeline: for a dispatcher
 * built by hand (a unit spec, the in-memory systems) rather than started by the server.
 */
export function directMessageHandlers(methods: readonly BoundMessageMethod[]): SagaMessageHandlers {
  const handlers = new Map<string, MessageHandler>();
  for (const method of methods) {
    const handler: MessageHandler = (payload: unknown, ctx?: unknown) =>
      method.invoke(payload, ctx);
    for (const type of method.types) handlers.set(type, handler);
  }
  return { getHandlerByPattern: (pattern) => handlers.get(pattern) ?? null };
}

/**
 * Runs the handler of `ctx.pattern` and awaits its result (a value, a promise or an
 * observable: its last value). A failure is the error the handler recorded on `ctx` if there
 * is one (an exception filter has answered it by then), else what the pipeline failed with.
 */
export async function callMessageHandler(
  handlers: SagaMessageHandlers,
  payload: unknown,
  ctx: SagaMessageContext,
): Promise<unknown> {
  const handler = handlers.getHandlerByPattern(ctx.pattern);
  if (!handler) throw new Error(`No message handler is registered for ${ctx.pattern}`);
  try {
    const result: unknown = await handler(payload, ctx);
    return isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
  } catch (emitted) {
    const recorded = ctx.recordedFailure;
    if (recorded) throw recorded.error;
    throw emitted instanceof Error ? emitted : new Error(describe(emitted));
  }
}

/** An RPC filter's answer (`{ status, message }`) as an error message. */
function describe(emitted: unknown): string {
  const message = (emitted as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(emitted);
}
