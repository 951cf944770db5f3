import { BaseRpcContext } from '@nestjs/microservices';

/**
 * What a saga message handler gets beside its payload, with `@Ctx()`: the dispatcher's own
 * context (a `CommandContext` for a command, an `EventContext` for an event), whose fields it
 * also carries, so a handler may read `ctx.manager` or call `ctx.publish` on it directly.
 *
 * It also keeps the error the handler (or a pipe before it) failed with: Nest's RPC exception
 * filters turn an error they do not know into `{ status: 'error', message }`, and the
 * dispatcher needs the original to tell a refusal from a failure to retry.
 */
export class SagaMessageContext<C extends object = object> extends BaseRpcContext<[C]> {
  private failure: { error: unknown } | null = null;

  private constructor(
    /** The command or event type the message was routed by. */
    readonly pattern: string,
    inner: C,
  ) {
    super([inner]);
  }

  /** The context of one message, with the fields of `inner` on it. */
  static of<C extends object>(pattern: string, inner: C): SagaMessageContext<C> & C {
    return Object.assign(new SagaMessageContext(pattern, inner), inner);
  }

  /** The dispatcher's context, as it built it. */
  get inner(): C {
    return this.args[0];
  }

  /** Records what the handler failed with (the last try's, if an interceptor retried it). */
  recordFailure(error: unknown): void {
    this.failure = { error };
  }

  /** The recorded failure, if the handler failed. */
  get recordedFailure(): { error: unknown } | null {
    return this.failure;
  }
}
