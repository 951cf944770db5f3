import { defineChoreography } from '../choreography/choreography-definition.builder';
import { commandEndpoint } from '../definition/command-endpoint';
import { defineSaga } from '../definition/saga-definition.builder';
import { TerminalStepError } from '../errors/terminal-step.error';
import { SagaStepParticipant } from '../participant/saga-step-participant';
import { eventEndpoint } from '../transport/event-message';

/**
 * A four-step saga `a, b, c, d` whose `c` runs only when the order asks for it (`extra`), in
 * both styles, and participants that record what they were asked to do. A step refuses when
 * the order's `failAt` names it, so one definition covers every failure.
 */
export interface Order {
  id: string;
  extra?: string;
  failAt?: string;
  prices: Record<string, number>;
  reason?: string;
}

export const STEPS = ['a', 'b', 'c', 'd'] as const;
export type StepName = (typeof STEPS)[number];

interface StepRequest {
  id: string;
  failAt?: string;
}

export const run = (step: string) =>
  commandEndpoint<StepRequest, { price: number }>(`${step}.commands`, `${step}.do`);
export const undo = (step: string) =>
  commandEndpoint<StepRequest>(`${step}.commands`, `${step}.undo`);

export const priceOf = (step: string): number => (STEPS.indexOf(step as StepName) + 1) * 10;

function buildSaga() {
  const saga = defineSaga<Order>('abcd', 1);
  for (const name of STEPS) {
    const step = saga
      .step(name)
      .invokeParticipant(run(name), (o) => ({ id: o.id, failAt: o.failAt }))
      .onReply((o, reply) => ({ ...o, prices: { ...o.prices, [name]: reply.price } }))
      .withCompensation(undo(name), (o) => ({ id: o.id }));
    if (name === 'c') step.onlyIf((o) => o.extra !== undefined);
  }
  return saga.build();
}

export const optionalSaga = buildSaga();

export const event = (type: string) => eventEndpoint<unknown>('abcd.events', type);
export const eventsOf = (step: string) => ({
  succeeded: event(`${step}.done`),
  failed: event(`${step}.failed`),
  compensated: event(`${step}.undone`),
  compensationFailed: event(`${step}.undo-failed`),
  compensationRequested: event(`${step}.undo-requested`),
});

export const optionalChoreography = defineChoreography<Order>('abcd-events', 1)
  .startsWith(event('abcd.started'), (o) => o)
  .cancelledWith(event('abcd.cancelled'), (o, reason) => ({ ...o, reason }))
  .stepsOf(
    optionalSaga,
    Object.fromEntries(
      STEPS.map((s) => [
        s,
        { ...eventsOf(s), fold: (o: Order, p: unknown) => ({ ...o, prices: (p as Order).prices }) },
      ]),
    ),
  )
  .build();

/** One participant per step, writing what it did (`a.run`, `b.undo`…) to a shared log. */
export class RecordingParticipant implements SagaStepParticipant<StepRequest, { price: number }> {
  constructor(
    private readonly step: string,
    private readonly log: string[],
  ) {}

  async run(request: StepRequest): Promise<{ price: number }> {
    this.log.push(`${this.step}.run`);
    if (request.failAt === this.step) {
      throw new TerminalStepError('REFUSED', `${this.step} refused`);
    }
    return { price: priceOf(this.step) };
  }

  async undo(): Promise<void> {
    this.log.push(`${this.step}.undo`);
  }
}

/**
 * The cases both styles run: the optional step on and off, the happy path and a refusal at
 * each step that runs, with the steps each case runs and undoes (in order).
 */
export interface OptionalCase {
  title: string;
  order: Order;
  ran: StepName[];
  undone: StepName[];
  failed: StepName | null;
}

export function optionalCases(): OptionalCase[] {
  const cases: OptionalCase[] = [];
  for (const extra of [true, false]) {
    const active = STEPS.filter((s) => extra || s !== 'c');
    for (const failAt of [null, ...active]) {
      const upTo = failAt ? active.indexOf(failAt) : active.length - 1;
      const ran = active.slice(0, upTo + 1);
      const undone = failAt ? active.slice(0, upTo).reverse() : [];
      cases.push({
        title: `${extra ? 'with' : 'without'} c, ${failAt ? `${failAt} refused` : 'all succeed'}`,
        order: {
          id: 'o-1',
          prices: {},
          ...(extra ? { extra: 'yes' } : {}),
          ...(failAt ? { failAt } : {}),
        },
        ran,
        undone,
        failed: failAt,
      });
    }
  }
  return cases;
}
