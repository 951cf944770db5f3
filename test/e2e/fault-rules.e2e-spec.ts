import { AuditLine, TripSystem } from '../support/trip-system';
import { assertTripInvariants } from '../support/trip-invariants';
import { queueDepth } from '../support/rabbitmq-vhost';
import { eventually, waitFor } from '../support/wait-for';

type Participant = 'flight' | 'hotel' | 'payment';

const KEY = 'operator-key-for-fault-tests';
const PARTICIPANTS: Participant[] = ['flight', 'hotel', 'payment'];
const trip = (mode = 'orchestrated') => ({
  mode,
  customerId: 'cust-2',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 2, rooms: 1 },
});

const ofType = (audit: AuditLine[], type: string, step?: string) =>
  audit.filter((a) => a.type === type && (step === undefined || a.step === step));

describe('runtime fault rules on the participants', () => {
  let system: TripSystem;

  beforeAll(async () => {
    system = await TripSystem.start({ env: { OPERATOR_API_KEYS: `carol:${KEY}` } });
  });

  afterAll(async () => {
    await system?.stop();
  });

  afterEach(async () => {
    for (const name of PARTICIPANTS) await system.http(name).delete('/faults').expect(200);
  });

  async function addRule(name: Participant, rule: object): Promise<{ id: string }> {
    return (await system.http(name).post('/faults').send(rule).expect(201)).body as { id: string };
  }

  async function rules(name: Participant): Promise<Record<string, unknown>[]> {
    return (await system.http(name).get('/faults').expect(200)).body as Record<string, unknown>[];
  }

  /** The participant's fault-rule hits of one action, from its /metrics (0 before any). */
  async function hits(name: Participant, action: string): Promise<number> {
    const text = (await system.http(name).get('/metrics').expect(200)).text;
    const service = `${name}-service`;
    const line = text
      .split('\n')
      .find((l) =>
        l.startsWith(`saga_fault_rule_hits_total{service="${service}",action="${action}"}`),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  }

  describe('the /faults API', () => {
    it('stores a rule with its defaults, lists it, and deletes one rule or all of them', async () => {
      const added = await addRule('flight', { match: 'flight.reserve', action: 'fail', count: 2 });
      expect(added).toMatchObject({
        id: expect.any(String),
        match: 'flight.reserve',
        action: 'fail',
        probability: 1,
        count: 2,
        remaining: 2,
        delayMs: null,
        hits: 0,
      });
      await addRule('flight', { match: '*', action: 'delay', delayMs: 10, probability: 0 });
      expect((await rules('flight')).map((r) => r.action)).toEqual(['fail', 'delay']);
      expect(await rules('hotel')).toEqual([]);

      await system.http('flight').delete(`/faults/${added.id}`).expect(200, { removed: 1 });
      await system.http('flight').delete(`/faults/${added.id}`).expect(404);
      expect((await rules('flight')).map((r) => r.action)).toEqual(['delay']);
      await system.http('flight').delete('/faults').expect(200, { removed: 1 });
      expect(await rules('flight')).toEqual([]);
    });

    it('refuses a bad rule with a 400 naming each problem, and stores nothing', async () => {
      const response = await system
        .http('hotel')
        .post('/faults')
        .send({ match: '', action: 'explode', probability: 2, count: 0, delayMs: 5, extra: 1 })
        .expect(400);
      const problems = (response.body as { message: string[] }).message.join('\n');
      expect(problems).toMatch(/property extra should not exist/);
      expect(problems).toMatch(/match should not be empty/);
      expect(problems).toMatch(/action must be one of fail, refuse, delay/);
      expect(problems).toMatch(/probability must not be greater than 1/);
      expect(problems).toMatch(/count must not be less than 1/);
      expect(problems).toMatch(/delayMs is only for the delay action/);

      const noDelay = await system
        .http('hotel')
        .post('/faults')
        .send({ match: 'hotel.reserve', action: 'delay' })
        .expect(400);
      expect((noDelay.body as { message: string[] }).message.join('\n')).toMatch(/delayMs must/);
      expect(await rules('hotel')).toEqual([]);
    });
  });

  it('retries a step that fails twice transiently, and confirms the booking', async () => {
    const before = await hits('flight', 'fail');
    await addRule('flight', { match: 'flight.reserve', action: 'fail', count: 2 });

    const bookingId = await system.book(trip());
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CONFIRMED');
    expect(booking.steps[0]).toMatchObject({ name: 'flight', status: 'COMPLETED', attempts: 3 });
    const audit = await system.audit(bookingId);
    expect(ofType(audit, 'COMMAND_SENT', 'flight').map((a) => a.detail.attempt)).toEqual([1, 2, 3]);
    expect(ofType(audit, 'STEP_RETRY_SCHEDULED', 'flight')).toHaveLength(2);
    expect(
      ofType(audit, 'REPLY_RECEIVED', 'flight').map((a) => [a.detail.outcome, a.detail.error]),
    ).toEqual([
      ['failure', expect.objectContaining({ code: 'INJECTED_TRANSIENT_FAILURE', retryable: true })],
      ['failure', expect.objectContaining({ code: 'INJECTED_TRANSIENT_FAILURE', retryable: true })],
      ['success', undefined],
    ]);
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      status: 'RESERVED',
    });
    expect(await system.participantState('hotel', bookingId)).toMatchObject({
      status: 'RESERVED',
    });
    expect(await system.participantState('payment', bookingId)).toMatchObject({
      status: 'CHARGED',
    });
    expect(await rules('flight')).toEqual([expect.objectContaining({ remaining: 0, hits: 2 })]);
    expect(await hits('flight', 'fail')).toBe(before + 2);
    await assertTripInvariants(system);
  });

  it('retries a compensation that fails three times, and ends CANCELLED with the retries in the audit log', async () => {
    await addRule('payment', { match: 'payment.charge', action: 'refuse', count: 1 });
    await addRule('hotel', { match: 'hotel.cancel', action: 'fail', count: 3 });

    const bookingId = await system.book(trip());
    const booking = await system.settled(bookingId);

    // The payment counts the flight's and the hotel's successes before it charges: refused on
    // the hotel's, it fails whichever of the two came first, and never charges.
    expect(booking.status).toBe('CANCELLED');
    expect(booking.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'FAILED']);
    expect(booking.steps[1].compensationAttempts).toBe(4);
    expect(booking.failureReason).toMatch(/^payment: .*refused/);
    const audit = await system.audit(bookingId);
    expect(ofType(audit, 'COMPENSATION_ATTEMPT_FAILED', 'hotel')).toHaveLength(3);
    expect(ofType(audit, 'COMPENSATION_RETRY_SCHEDULED', 'hotel')).toHaveLength(3);
    expect(ofType(audit, 'COMPENSATION_SENT', 'hotel').map((a) => a.detail.attempt)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(ofType(audit, 'STEP_COMPENSATED', 'hotel')).toEqual([
      expect.objectContaining({ detail: { attempts: 4 } }),
    ]);
    expect(await system.participantState('hotel', bookingId)).toMatchObject({
      hotelId: 'HT-200',
      status: 'CANCELLED',
    });
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      status: 'CANCELLED',
    });
    expect(await system.participantState('payment', bookingId)).toBeNull();
    await assertTripInvariants(system);
  });

  it('ends COMPENSATION_FAILED when a compensation always fails, and the operator retry completes it once the rule is gone', async () => {
    await addRule('payment', { match: 'payment.charge', action: 'refuse', count: 1 });
    await addRule('flight', { match: 'flight.cancel', action: 'fail' });

    const bookingId = await system.book(trip());
    const failed = await system.settled(bookingId, 30_000);

    expect(failed.status).toBe('COMPENSATION_FAILED');
    expect(failed.steps.map((s) => s.status)).toEqual([
      'COMPENSATION_FAILED',
      'COMPENSATED',
      'FAILED',
    ]);
    let audit = await system.audit(bookingId);
    expect(ofType(audit, 'COMPENSATION_ATTEMPT_FAILED', 'flight')).toHaveLength(5);
    expect(ofType(audit, 'STEP_COMPENSATION_FAILED', 'flight')).toHaveLength(1);
    // The flight could not be released: it is left for the operator.
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      status: 'RESERVED',
    });
    expect(await system.participantState('hotel', bookingId)).toMatchObject({
      status: 'CANCELLED',
    });

    await system.http('flight').delete('/faults').expect(200, { removed: 1 });
    await system
      .http('orchestrator')
      .post(`/bookings/${bookingId}/retry-compensation`)
      .set('X-API-Key', KEY)
      .send({ operator: 'carol', reason: 'flight service fixed' })
      .expect(202);
    const retried = await system.settled(bookingId);

    expect(retried.status).toBe('CANCELLED');
    expect(retried.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'FAILED']);
    audit = await system.audit(bookingId);
    expect(ofType(audit, 'OPERATOR_RETRIED_COMPENSATION')).toEqual([
      expect.objectContaining({ detail: { operator: 'carol', reason: 'flight service fixed' } }),
    ]);
    expect(ofType(audit, 'SAGA_CANCELLED')).toHaveLength(1);
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      status: 'CANCELLED',
    });
    await assertTripInvariants(system);
  });

  it('dead-letters a command whose handler keeps throwing, and compensates the step once it times out', async () => {
    await addRule('payment', { match: 'payment.charge', action: 'throw' });

    const bookingId = await system.book(trip());
    await waitFor(
      async () =>
        (await queueDepth(system.vhost.vhost, 'payment.commands.dead-letter')).total === 1
          ? true
          : undefined,
      { timeoutMs: 20_000, what: 'the charge in the dead-letter queue' },
    );
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CANCELLED');
    expect(booking.steps.map((s) => s.status)).toEqual([
      'COMPENSATED',
      'COMPENSATED',
      'COMPENSATED',
    ]);
    const [rule] = await rules('payment');
    expect(rule.hits).toBeGreaterThan(1);
    // The charge never ran; its refund, sent because the step timed out, found nothing to
    // undo: no money moved, so there is no payment to show.
    expect(await system.participantState('payment', bookingId)).toBeNull();
    expect(await system.participantState('hotel', bookingId)).toMatchObject({
      status: 'CANCELLED',
    });
    await assertTripInvariants(system);
  });

  it('redelivers an event whose choreographed step fails transiently, and confirms', async () => {
    await addRule('hotel', { match: 'trip.booking.requested', action: 'fail', count: 2 });

    const bookingId = await system.book(trip('choreographed'));
    const booking = await system.settled(bookingId);

    expect(booking.status).toBe('CONFIRMED');
    expect(await rules('hotel')).toEqual([expect.objectContaining({ remaining: 0, hits: 2 })]);
    expect(await system.participantState('hotel', bookingId)).toMatchObject({
      status: 'RESERVED',
    });
    await assertTripInvariants(system);
  });

  it('turns a refuse rule on an event into the choreographed step failing, and undoes the others', async () => {
    await addRule('payment', { match: 'trip.hotel.reserved', action: 'refuse', count: 1 });

    const bookingId = await system.book(trip('choreographed'));
    const booking = await system.settled(bookingId);

    // The payment counts the flight's and the hotel's successes before it charges: refused on
    // the hotel's, it fails whichever of the two came first, and never charges.
    expect(booking.status).toBe('CANCELLED');
    expect(booking.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'FAILED']);
    await eventually(async () =>
      expect(await system.participantState('flight', bookingId)).toMatchObject({
        status: 'CANCELLED',
      }),
    );
    expect(await system.participantState('payment', bookingId)).toBeNull();
    await assertTripInvariants(system);
  });
});

describe('runtime fault rules in production', () => {
  let system: TripSystem;

  afterEach(async () => {
    await system?.stop();
  });

  it('answers 403 saying why, and stores nothing', async () => {
    system = await TripSystem.start({ apps: ['flight'], env: { NODE_ENV: 'production' } });
    const refused = await system
      .http('flight')
      .post('/faults')
      .send({ match: '*', action: 'crash' })
      .expect(403);
    expect((refused.body as { message: string }).message).toMatch(
      /fault injection is disabled .*FAULTS_ENABLED=true/,
    );
    await system.http('flight').get('/faults').expect(403);
    await system.http('flight').delete('/faults').expect(403);
  });

  it('accepts rules in production when FAULTS_ENABLED=true', async () => {
    system = await TripSystem.start({
      apps: ['flight'],
      env: { NODE_ENV: 'production', FAULTS_ENABLED: 'true' },
    });
    await system.http('flight').post('/faults').send({ match: '*', action: 'fail' }).expect(201);
    expect((await system.http('flight').get('/faults').expect(200)).body).toHaveLength(1);
  });
});
