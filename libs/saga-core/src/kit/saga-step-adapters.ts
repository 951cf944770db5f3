import { EventHandler } from '../choreography/event-handler.decorator';
import { EventContext } from '../choreography/event-context';
import { RetryThenGiveUp } from '../choreography/retry-then-give-up.decorator';
import { eventEndpoint, EventMessage } from '../transport/event-message';
import { CommandContext } from '../participant/command-context';
import { CommandHandler } from '../participant/command-handler.decorator';
import { SagaStepParticipant } from '../participant/saga-step-participant';
import { resolveStep, ResolvedStep, SagaStepBinding } from './saga-step.binding';
import { SagaStepAdapter } from './saga-step.adapter';

export type SagaStepAdapterClass = new (
  participantOf: () => SagaStepParticipant,
) => SagaStepAdapter;

const pascal = (name: string) =>
  name.replace(/(^|[-_.\s]+)(\w)/g, (_, __, c: string) => c.toUpperCase());

/** Applies a method decorator to a generated class's own method. */
function decorate(target: object, method: string, ...decorators: MethodDecorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, method) as PropertyDescriptor;
  for (const decorator of decorators) decorator(target, method, descriptor);
}

/**
 * The adapter class of one step: its own methods (so their metadata is the step's alone)
 * carry the step's command and compensation `@CommandHandler`s and, with a choreography,
 * `@EventHandler`s for exactly the events `choreographyTopology` says it reacts to.
 */
export function sagaStepAdapterClass<Data>(binding: SagaStepBinding<Data>): SagaStepAdapterClass {
  const resolved = resolveStep(binding) as ResolvedStep;
  const Adapter = class extends SagaStepAdapter {
    constructor(participantOf: () => SagaStepParticipant) {
      super(resolved, participantOf);
    }
    override runCommand(payload: unknown, ctx: CommandContext) {
      return super.runCommand(payload, ctx);
    }
    override undoCommand(payload: unknown, ctx: CommandContext) {
      return super.undoCommand(payload, ctx);
    }
    override runOnEvent(event: EventMessage, ctx: EventContext) {
      return super.runOnEvent(event, ctx);
    }
    override undoOnEvent(event: EventMessage, ctx: EventContext) {
      return super.undoOnEvent(event, ctx);
    }
  };
  const name = `${pascal(resolved.spec.name)}${pascal(binding.saga.spec.name)}StepAdapter`;
  Object.defineProperty(Adapter, 'name', { value: name });
  const proto = Adapter.prototype;
  decorate(proto, 'runCommand', CommandHandler(resolved.spec.command));
  if (resolved.spec.compensation) {
    decorate(proto, 'undoCommand', CommandHandler(resolved.spec.compensation));
  }
  const events = resolved.events;
  if (events) {
    const endpoints = (refs: { exchange: string; type: string }[]) =>
      refs.map((ref) => eventEndpoint<unknown>(ref.exchange, ref.type));
    decorate(proto, 'runOnEvent', EventHandler(...endpoints(events.reactions.work)));
    decorate(
      proto,
      'undoOnEvent',
      EventHandler(...endpoints(events.reactions.undo)),
      RetryThenGiveUp(events.undoRetry),
    );
  }
  return Adapter;
}

/** The adapter of one step over a participant at hand (no Nest container, e.g. in a unit spec). */
export function sagaStepAdapter<Data>(
  binding: SagaStepBinding<Data>,
  participant: SagaStepParticipant,
): SagaStepAdapter {
  const Adapter = sagaStepAdapterClass(binding);
  return new Adapter(() => participant);
}
