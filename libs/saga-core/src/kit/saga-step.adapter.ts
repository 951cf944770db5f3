import { TerminalStepError } from '../errors/terminal-step.error';
import { EventContext } from '../choreography/event-context';
import { CommandContext } from '../participant/command-context';
import { validatePayload } from '../participant/command-payload.validation';
import { SagaStepParticipant, StepContext } from '../participant/saga-step-participant';
import { EventMessage } from '../transport/event-message';
import { RequestClass, ResolvedStep } from './saga-step.binding';
import { runStepUndo, runStepWork, stepFaultOf } from './step-faults';

/**
 * The command adapter and the event adapter of one saga step over its participant's domain
 * port: the same request, built from the saga's data by the definition, the same faults (from
 * the `x-saga-faults` header) and the same refusal rule in both styles. The kit makes one
 * subclass per step whose methods carry that step's `@CommandHandler` and `@EventHandler`
 * metadata (see `sagaStepAdapterClass`); the dispatchers run them over the inbound runtime,
 * through the app's `SagaMessageServer` and so through Nest's pipeline. The request is checked
 * here too, so an app without a `ValidationPipe` refuses a malformed one all the same.
 */
export class SagaStepAdapter<Data = unknown> {
  constructor(
    protected readonly resolved: ResolvedStep<Data>,
    private readonly participantOf: () => SagaStepParticipant,
  ) {}

  /** Finds the participant at boot, so a missing provider fails the start, not a message. */
  onApplicationBootstrap(): void {
    this.participantOf();
  }

  /** The step's command: the reply is what the work returns, or its refusal. */
  async runCommand(payload: unknown, ctx: CommandContext): Promise<unknown> {
    const request = this.checked(this.resolved.binding.requests?.run, payload);
    const { step } = this.resolved;
    return runStepWork(step, stepFaultOf(ctx.headers, step), ctx.suppressReply, () =>
      this.participantOf().run(request, this.commandStep(ctx)),
    );
  }

  /** The step's compensation command. */
  async undoCommand(payload: unknown, ctx: CommandContext): Promise<void> {
    const request = this.checked(this.resolved.binding.requests?.undo, payload);
    const { step } = this.resolved;
    await runStepUndo(step, stepFaultOf(ctx.headers, step), () =>
      this.participantOf().undo(request, this.commandStep(ctx)),
    );
  }

  /**
   * The event before the step (or the saga's start): success announces the data with the
   * result folded in (the definition's `onReply`); an injected `fail` or a refusal announces
   * the failure with its reason; `timeout` commits the work and announces nothing. Any other
   * error rolls the delivery back, and the event comes again. An event that is not for this
   * step on its data (the step, or an optional step before it, runs: see `stepActsOn`) is
   * acknowledged doing nothing; the answer depends on the event alone, so a redelivery of it
   * gets the same. After a parallel group, the step works once every step of the group that
   * runs has succeeded, on their data folded together (`EventContext.join`). A runtime fault
   * rule on one of those events applies before it is counted: a refusal fails the step then
   * (the event is never counted, so the join never completes), a transient failure has it
   * come again.
   */
  async runOnEvent(event: EventMessage, ctx: EventContext): Promise<void> {
    const events = this.eventsOf();
    const { step, handlers } = this.resolved;
    let data: Data | undefined;
    try {
      data = await this.joinedData(event, ctx);
    } catch (error) {
      if (!(error instanceof TerminalStepError)) throw error;
      ctx.publish(
        events.failed,
        this.resolved.withReason(this.resolved.dataOf(event), error.message),
      );
      return;
    }
    if (data === undefined) return;
    let silenced = false;
    let result: unknown;
    try {
      const request = this.checked(
        this.resolved.binding.requests?.run,
        handlers.buildCommand(data),
      );
      const silence = () => (silenced = true);
      result = await runStepWork(step, stepFaultOf(ctx.headers, step), silence, () => {
        ctx.raiseInjectedFault();
        return this.participantOf().run(request, this.eventStep(ctx));
      });
    } catch (error) {
      if (!(error instanceof TerminalStepError)) throw error;
      // The plain message, as the orchestrated saga records it, so both styles read alike.
      ctx.publish(events.failed, this.resolved.withReason(data, error.message));
      return;
    }
    if (silenced) return;
    ctx.publish(events.succeeded, handlers.onReply ? handlers.onReply(data, result) : data);
  }

  /**
   * An event that undoes the step (a later step failed or was undone, the saga was
   * cancelled, or the undo was asked for): success announces it with the data unchanged.
   * A failed undo is retried with backoff (the step's `compensationRetry`); once its tries
   * are spent it is announced as failed, so the chain goes on with the steps before it. As
   * on the way forward, an event that is not for this step on its data is let pass. Before
   * a parallel group, the step undoes once every step of the group that runs has reported.
   */
  async undoOnEvent(event: EventMessage, ctx: EventContext): Promise<void> {
    const events = this.eventsOf();
    const { step, handlers } = this.resolved;
    const data = await this.joinedData(event, ctx);
    if (data === undefined) return;
    if (ctx.givingUp) {
      ctx.publish(events.compensationFailed, this.resolved.withReason(data, ctx.givingUp.reason));
      return;
    }
    const payload = handlers.buildCompensation ? handlers.buildCompensation(data) : data;
    const request = this.checked(this.resolved.binding.requests?.undo, payload);
    await runStepUndo(step, stepFaultOf(ctx.headers, step), () => {
      ctx.raiseInjectedFault();
      return this.participantOf().undo(request, this.eventStep(ctx));
    });
    ctx.publish(events.compensated, data);
  }

  /**
   * The data to act on: the event's; after a forward join, the group's together. Undefined
   * when the event is not for this step, or its join still waits for other reports.
   */
  private async joinedData(event: EventMessage, ctx: EventContext): Promise<Data | undefined> {
    const data = this.resolved.dataOf(event);
    const reaction = this.resolved.reactionTo(event.type, data);
    if (!reaction.act) return undefined;
    if (!reaction.join) return data;
    const { join } = reaction;
    // A fault for this event is for the step's reaction to it, whether or not it completes.
    if (!ctx.givingUp) ctx.raiseInjectedFault();
    const arrived = await ctx.join({
      sagaId: event.correlationId,
      step: this.resolved.step,
      ...join,
      data,
    });
    if (!arrived) return undefined;
    return join.reaction === 'work' ? this.resolved.joined(arrived, join.members) : data;
  }

  private checked(dto: RequestClass | undefined, payload: unknown): unknown {
    return dto ? validatePayload(dto, payload) : payload;
  }

  private commandStep(ctx: CommandContext): StepContext {
    return {
      sagaId: ctx.sagaId,
      step: this.resolved.step,
      attempt: ctx.attempt,
      manager: ctx.manager,
    };
  }

  private eventStep(ctx: EventContext): StepContext {
    return {
      sagaId: ctx.event.correlationId,
      step: this.resolved.step,
      attempt: ctx.deliveryCount,
      manager: ctx.manager,
    };
  }

  private eventsOf() {
    const { events } = this.resolved;
    if (!events) throw new Error(`${this.resolved.step} is bound without its choreography`);
    return events;
  }
}
