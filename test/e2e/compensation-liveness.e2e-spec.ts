import { AuditLine, BookingView, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { queueDepth } from '../support/rabbitmq-vhost';
import { waitFor } from '../support/wait-for';

type Mode = 'orchestrated' | 'choreographed';
type Participant = 'flight' | 'hotel' | 'payment';

/** Short steps keep the undo's tries quick; long enough for a loaded 2-core machine. */
const STEP_TIMEOUT_MS = 1_500;
/**
 * The documented bound on a saga's compensation, in both modes: per step to undo, 5 tries of
 * one step timeout each and the 4 backoffs between them (at most 0.2 + 0.4 + 0.8 + 1.6 s).
 */
const UNDO_BOUND_MS = 3 * (5 * STEP_TIMEOUT_MS + 3_000);
const KEY = 'operator-key-for-liveness-tests';

const trip = (mode: Mode, faults: Record<string, string>) => ({
  mode,
  customerId: 'cust-4',
  flight: { flightId: 'FL-200', seats: 1 },
  hotel: { hotelId: 'HT-300', nights: 1, rooms: 1 },
  faults,
});

/**
 * For each step: the booking fault that makes the saga undo it, and the messages that ask the
 * step's participant for that undo, on which a `throw` rule is set. Orchestrated, that is the
 * compensation command; choreographed, the event that sets the undo off and the step's undo
 * request event, so that every try of it throws.
 */
const CASES: {
  step: Participant;
  faults: Record<string, string>;
  undo: Record<Mode, string[]>;
  failedSteps: string[];
  held: string;
}[] = [
  {
    step: 'flight',
    faults: { hotel: 'fail' },
    undo: {
      orchestrated: ['flight.cancel'],
      choreographed: ['trip.hotel.reservation-failed', 'trip.flight.cancellation-requested'],
    },
    failedSteps: ['COMPENSATION_FAILED', 'FAILED', 'SKIPPED'],
    held: 'RESERVED',
  },
  {
    step: 'hotel',
    faults: { payment: 'fail' },
    undo: {
      orchestrated: ['hotel.cancel'],
      choreographed: ['trip.payment.failed', 'trip.hotel.cancellation-requested'],
    },
    failedSteps: ['COMPENSATED', 'COMPENSATION_FAILED', 'FAILED'],
    held: 'RESERVED',
  },
  {
    step: 'payment',
    faults: { payment: 'timeout' },
    undo: {
      orchestrated: ['payment.refund'],
      choreographed: ['trip.booking.cancellation-requested', 'trip.payment.refund-requested'],
    },
    failedSteps: ['COMPENSATED', 'COMPENSATED', 'COMPENSATION_FAILED'],
    held: 'CHARGED',
  },
];

const story = (audit: AuditLine[]) => audit.map((a) => (a.step ? `${a.type}:${a.step}` : a.type));
const statuses = (booking: BookingView) => booking.steps.map((s) => s.status);

describe('every compensation ends, in both modes', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({
      env: { STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS), OPERATOR_API_KEY: KEY },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  afterEach(async () => {
    for (const name of ['flight', 'hotel', 'payment'] as const) {
      await system.http(name).delete('/faults').expect(200);
    }
  });

  const depth = async (queue: string) => (await queueDepth(system.vhost.vhost, queue)).total;

  async function addRule(name: Participant, rule: object): Promise<void> {
    await system.http(name).post('/faults').send(rule).expect(201);
  }

  async function attention(): Promise<string[]> {
    const response = await system
      .http('orchestrator')
      .get('/operator/attention')
      .set('X-API-Key', KEY)
      .expect(200);
    return (response.body as { bookingId: string }[]).map((b) => b.bookingId);
  }

  async function retry(bookingId: string): Promise<void> {
    await system
      .http('orchestrator')
      .post(`/bookings/${bookingId}/retry-compensation`)
      .set('X-API-Key', KEY)
      .send({ operator: 'dora', reason: 'the participant is fixed' })
      .expect(202);
  }

  async function held(step: Participant, bookingId: string): Promise<unknown> {
    return (await system.participantState(step, bookingId))?.status;
  }

  describe.each<Mode>(['orchestrated', 'choreographed'])('%s', (mode) => {
    it.each(CASES)(
      'ends COMPENSATION_FAILED when the $step throws on its undo until its tries are spent, and the operator retry finishes it once the rule is gone',
      async ({ step, faults, undo, failedSteps, held: heldStatus }) => {
        const deadLetters =
          mode === 'orchestrated'
            ? `${step}.commands.dead-letter`
            : `${step}-service.events.dead-letter`;
        const deadBefore = await depth(deadLetters);
        for (const match of undo[mode]) await addRule(step, { match, action: 'throw' });

        const bookingId = await system.book(trip(mode, faults));
        const failed = await system.settled(bookingId, UNDO_BOUND_MS);

        expect(failed.status).toBe('COMPENSATION_FAILED');
        const audit = await system.audit(bookingId);
        // On a loaded machine a failing step's refusal can come after its step timeout: the
        // step then timed out, may have taken effect, and was compensated instead.
        const timedOut = new Set(
          audit.filter((a) => a.type === 'STEP_TIMED_OUT').map((a) => a.step),
        );
        expect(statuses(failed)).toEqual(
          failedSteps.map((status, i) =>
            status === 'FAILED' && timedOut.has(failed.steps[i].name) ? 'COMPENSATED' : status,
          ),
        );
        expect(audit.at(-1)).toMatchObject({
          type: 'SAGA_COMPENSATION_FAILED',
          detail: { uncompensated: [step] },
        });
        // What could not be undone is still held, for the operator to see.
        expect(await held(step, bookingId)).toBe(heldStatus);
        expect(await attention()).toContain(bookingId);
        if (mode === 'orchestrated') {
          // Each of the 5 compensation commands went to the dead letters; each timed out.
          await waitFor(
            async () => ((await depth(deadLetters)) === deadBefore + 5 ? true : undefined),
            { timeoutMs: 10_000, what: `5 more dead letters on ${deadLetters}` },
          );
          expect(
            story(audit).filter((l) => l === `COMPENSATION_ATTEMPT_FAILED:${step}`),
          ).toHaveLength(5);
        } else {
          // The participant announced its failure instead of leaving a dead letter behind.
          const failure = audit.find((a) => a.type === 'STEP_COMPENSATION_FAILED');
          expect(failure).toMatchObject({
            step,
            detail: { reason: expect.stringMatching(/threw while handling/) },
          });
          await waitFor(
            async () => ((await depth(`${step}-service.events`)) === 0 ? true : undefined),
            { timeoutMs: 20_000, what: `${step}-service.events drained` },
          );
          expect(await depth(deadLetters)).toBe(deadBefore);
        }

        await system.http(step).delete('/faults').expect(200);
        await retry(bookingId);
        const retried = await system.settled(bookingId, UNDO_BOUND_MS);

        expect(retried.status).toBe('CANCELLED');
        expect(statuses(retried)).toEqual(
          failedSteps.map((s) => (s === 'COMPENSATION_FAILED' ? 'COMPENSATED' : s)),
        );
        const lines = story(await system.audit(bookingId));
        expect(lines).toContain('OPERATOR_RETRIED_COMPENSATION');
        expect(lines).toContain(
          mode === 'orchestrated' ? `COMPENSATION_SENT:${step}` : `COMPENSATION_REQUESTED:${step}`,
        );
        // Choreographed, the retried undo's event sets off the steps before it once more; they
        // announce again what they had already undone, and that comes late: the saga has ended.
        const late = lines.slice(lines.indexOf('SAGA_CANCELLED') + 1);
        expect(lines).toContain('SAGA_CANCELLED');
        expect(late.filter((l) => !l.startsWith('EVENT_IGNORED:'))).toEqual([]);
        if (mode === 'orchestrated') expect(late).toEqual([]);
        expect(await held(step, bookingId)).toBe(step === 'payment' ? 'REFUNDED' : 'CANCELLED');
        expect(await attention()).not.toContain(bookingId);
        await assertTripInvariants(system);
      },
    );
  });

  describe('choreographed, an undo event lost on the way', () => {
    it('asks the participant for the undo again once its deadline passes, and ends CANCELLED', async () => {
      // The hotel cancels, but its announcement is dropped: the tracker never hears of it.
      await addRule('hotel', { match: 'trip.payment.failed', action: 'drop-reply', count: 1 });

      const bookingId = await system.book(trip('choreographed', { payment: 'fail' }));
      const booking = await system.settled(bookingId, UNDO_BOUND_MS);

      expect(booking.status).toBe('CANCELLED');
      expect(statuses(booking)).toEqual(['COMPENSATED', 'COMPENSATED', 'FAILED']);
      expect(booking.steps[1].compensationAttempts).toBe(2);
      const lines = story(await system.audit(bookingId));
      const at = (line: string) => lines.indexOf(line);
      expect(at('COMPENSATION_ATTEMPT_FAILED:hotel')).toBeGreaterThan(at('STEP_FAILED:payment'));
      expect(at('COMPENSATION_RETRY_SCHEDULED:hotel')).toBeGreaterThan(
        at('COMPENSATION_ATTEMPT_FAILED:hotel'),
      );
      expect(at('COMPENSATION_REQUESTED:hotel')).toBeGreaterThan(
        at('COMPENSATION_RETRY_SCHEDULED:hotel'),
      );
      expect(at('STEP_COMPENSATED:hotel')).toBeGreaterThan(at('COMPENSATION_REQUESTED:hotel'));
      expect(await held('hotel', bookingId)).toBe('CANCELLED');
      expect(await held('flight', bookingId)).toBe('CANCELLED');
      await assertTripInvariants(system);
    });

    it('gives an undo that never comes up after its tries, and ends COMPENSATION_FAILED naming it', async () => {
      for (const match of ['trip.payment.failed', 'trip.hotel.cancellation-requested']) {
        await addRule('hotel', { match, action: 'drop-reply' });
      }

      const bookingId = await system.book(trip('choreographed', { payment: 'fail' }));
      const failed = await system.settled(bookingId, UNDO_BOUND_MS);

      expect(failed.status).toBe('COMPENSATION_FAILED');
      expect(statuses(failed)).toEqual(['COMPENSATED', 'COMPENSATION_FAILED', 'FAILED']);
      const audit = await system.audit(bookingId);
      const lines = story(audit);
      expect(lines.filter((l) => l === 'COMPENSATION_REQUESTED:hotel')).toHaveLength(4);
      expect(audit.find((a) => a.type === 'STEP_COMPENSATION_FAILED')).toMatchObject({
        step: 'hotel',
        detail: { attempts: 5, reason: `no undo within ${STEP_TIMEOUT_MS} ms` },
      });
      // The flight runs beside the hotel: it undid its own step on the payment's failure,
      // without waiting for the hotel's report, and nothing is left below them to ask.
      expect(lines).not.toContain('COMPENSATION_REQUESTED:flight');
      expect(lines.indexOf('STEP_COMPENSATED:flight')).toBeLessThan(
        lines.indexOf('STEP_COMPENSATION_FAILED:hotel'),
      );
      expect(audit.at(-1)).toMatchObject({ detail: { uncompensated: ['hotel'] } });
      expect(await held('flight', bookingId)).toBe('CANCELLED');
      expect(await attention()).toContain(bookingId);

      await system.http('hotel').delete('/faults').expect(200);
      await retry(bookingId);
      const retried = await system.settled(bookingId, UNDO_BOUND_MS);
      expect(retried.status).toBe('CANCELLED');
      expect(statuses(retried)).toEqual(['COMPENSATED', 'COMPENSATED', 'FAILED']);
      await assertTripInvariants(system);
    });
  });
});
