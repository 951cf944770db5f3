import { Ctx, Payload } from '@nestjs/microservices';
import { EventHandler } from '../choreography/event-handler.decorator';
import { EventFilter } from '../choreography/event-filter.decorator';
import { EventContext } from '../choreography/event-context';
import { RetryThenGiveUp } from '../choreography/retry-then-give-up.decorator';
import { eventEndpoint, EventMessage } from '../transport/event-message';
import { CommandContext } from '../participant/command-context';
import { CommandHandler } from '../participant/command-handler.decorator';
import { SagaStepParticipant } from '../participant/saga-step-participant';
import { RequestClass, resolveStep, ResolvedStep, SagaStepBinding } from './saga-step.binding';
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
 * A message handler's parameters, as Nest's pipeline reads them: the payload (`@Payload()`,
 * typed with the request's DTO, so a `ValidationPipe` checks it) and the context (`@Ctx()`, a
 * `SagaMessageContext`, typed `Object` so that no pipe validates or transforms it).
 */
function messageParams(target: object, method: string, payloadType: RequestClass | undefined) {
  Payload()(target, method, 0);
  Ctx()(target, method, 1);
  const types = [payloadType ?? Object, Object];
  Reflect.defineMetadata('design:paramtypes', types, target, method);
}

/**
 * The adapter class of one step: its own methods (so their metadata is the step's alone)
 * carry the step's command and compensation `@CommandHandler`s and, with a choreography,
 * `@EventHandler`s for exactly the events `choreographyTopology` says it reacts to (each also
 * its `@MessagePattern` / `@EventPattern`), with `@Payload()` and `@Ctx()` parameters, so that,
 * mounted as a controller, it runs through Nest's pipeline (see `SagaMessageServer`).
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
  const { command, compensation } = resolved.spec;
  const requests = binding.requests;
  decorate(proto, 'runCommand', CommandHandler(command));
  messageParams(proto, 'runCommand', requests?.run);
  if (compensation) {
    decorate(proto, 'undoCommand', CommandHandler(compensation));
    messageParams(proto, 'undoCommand', requests?.undo);
  }
  const events = resolved.events;
  if (events) {
    const endpoints = (refs: { exchange: string; type: string }[]) =>
      refs.map((ref) => eventEndpoint<unknown>(ref.exchange, ref.type));
    const { work, undo } = events.reactions;
    // Beside an optional step, an event may be another step's: it passes before any
    // transaction (the adapter checks again, for a dispatcher that does not filter).
    const filter = events.beside
      ? [EventFilter((event) => resolved.actsOn(event.type, resolved.dataOf(event)))]
      : [];
    decorate(proto, 'runOnEvent', EventHandler(...endpoints(work)), ...filter);
    messageParams(proto, 'runOnEvent', undefined);
    decorate(
      proto,
      'undoOnEvent',
      EventHandler(...endpoints(undo)),
      RetryThenGiveUp(events.undoRetry),
      ...filter,
    );
    messageParams(proto, 'undoOnEvent', undefined);
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
