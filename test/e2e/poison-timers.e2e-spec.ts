import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { MessageTransport } from '@app/saga-core';
import { queueDepth } from '../support/rabbitmq-vhost';
import { assertTripInvariants } from '../support/trip-invariants';
import { storedStep } from '../../scripts/chaos/poison-timers';
import { AppName, TripSystem } from '../support/trip-system';
import { eventually, waitFor } from '../support/wait-for';

const KEY = 'operator-key-for-tests';
const by = { operator: 'alice', reason: 'the data was repaired' };
const trip = (faults: Record<string, string> = {}) => ({
  customerId: 'cust-2',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
  faults,
});

interface TimerRow {
  attempts: number;
  last_error: string | null;
  parked_at: Date | null;
}

/**
 * Poison timers: rows that no engine can fire (a saga pinned to a version no orchestrator
 * registers, data its handlers throw on, a state its definition does not fit), due before
 * anything else. Every other saga still times out and retries on time; each poison timer is
 * audited, counted and parked, listed for an operator, and an operator can fire it again once
 * its cause is fixed.
 */
describe('poison timers', () => {
  let system: TripSystem;
  const poison: Record<'unregistered' | 'badData' | 'badState', string> = {
    unregistered: randomUUID(),
    badData: randomUUID(),
    badState: randomUUID(),
  };

  beforeAll(async () => {
    system = await TripSystem.start({
      env: {
        STEP_TIMEOUT_MS: '1500',
        OPERATOR_API_KEYS: `alice:${KEY}`,
        SAGA_TIMER_MAX_ATTEMPTS: '3',
        SAGA_TIMER_RETRY_DELAY_MS: '200',
      },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const operator = (method: 'get' | 'post', path: string) =>
    system.http('orchestrator')[method](path).set('X-API-Key', KEY);

  /** A PENDING saga row whose timer is due an hour ago, so it is the first one claimed. */
  async function plant(
    id: string,
    version: number,
    data: object,
    awaiting: { kind: string; stepIndex: number; attempt: number },
  ): Promise<void> {
    const at = new Date(Date.now() - 3_600_000);
    await system.sql(
      'orchestrator',
      `INSERT INTO saga_instances (id, definition_name, definition_version, status, data, awaiting,
                                   labels, version, created_at, updated_at, steps)
       VALUES ($1, 'trip-booking', $2, 'PENDING', $3::jsonb, $4::jsonb, '{"mode":"orchestrated"}', 1, $5, $5,
               $6::jsonb)`,
      [
        id,
        version,
        JSON.stringify(data),
        JSON.stringify({ ...awaiting, phase: 'forward', commandId: '' }),
        at,
        JSON.stringify([
          storedStep('flight', 'RUNNING'),
          storedStep('hotel', 'PENDING'),
          storedStep('payment', 'PENDING'),
        ]),
      ],
    );
    const key = `${awaiting.kind}:forward:${awaiting.stepIndex}:${awaiting.attempt}`;
    await system.sql(
      'orchestrator',
      `INSERT INTO saga_timers (saga_id, fire_at, key) VALUES ($1, $2, $3)`,
      [id, at, key],
    );
  }

  const timer = async (id: string): Promise<TimerRow | undefined> =>
    (
      await system.sql<TimerRow>(
        'orchestrator',
        `SELECT attempts, last_error, parked_at FROM saga_timers WHERE saga_id = $1`,
        [id],
      )
    )[0];

  it('times out and retries every other saga on time, and parks, audits and counts each poison timer', async () => {
    await plant(poison.unregistered, 99, {}, { kind: 'reply', stepIndex: 0, attempt: 1 });
    // Its backoff ends by sending the flight command, which the handler builds from no data.
    await plant(poison.badData, 1, {}, { kind: 'backoff', stepIndex: 0, attempt: 2 });
    await plant(poison.badState, 1, trip(), { kind: 'reply', stepIndex: 7, attempt: 1 });
    await system
      .http('flight')
      .post('/faults')
      .send({ match: 'flight.reserve', action: 'fail', count: 2 })
      .expect(201);

    const [retried, timedOut, plain] = [
      await system.book(trip()),
      await system.book(trip({ hotel: 'timeout' })),
      await system.book(trip()),
    ];

    expect((await system.settled(retried)).status).toBe('CONFIRMED');
    expect((await system.settled(timedOut)).status).toBe('CANCELLED');
    expect((await system.settled(plain)).status).toBe('CONFIRMED');
    const types = (lines: { type: string }[]) => lines.map((l) => l.type);
    // The two failures the rule injects are retried after their backoff, whichever booking met them.
    const retries = (await Promise.all([retried, timedOut, plain].map((id) => system.audit(id))))
      .flatMap(types)
      .filter((t) => t === 'STEP_RETRY_SCHEDULED');
    expect(retries).toHaveLength(2);
    expect(types(await system.audit(timedOut))).toContain('STEP_TIMED_OUT');

    for (const id of Object.values(poison)) {
      await waitFor(async () => ((await timer(id))?.parked_at ? true : undefined), {
        what: `the timer of ${id} parked`,
      });
      expect(await timer(id)).toMatchObject({ attempts: 3 });
      const audit = await system.audit(id);
      expect(types(audit)).toEqual([
        'TIMER_FAILED',
        'TIMER_FAILED',
        'TIMER_FAILED',
        'TIMER_PARKED',
      ]);
      expect(audit[0].detail).toMatchObject({ attempt: 1, error: expect.any(String) });
    }
    expect((await system.audit(poison.unregistered))[0].detail.error).toMatch(
      /version 99 is not registered/,
    );
    const metrics = (await system.http('orchestrator').get('/metrics').expect(200)).text;
    expect(metrics).toMatch(
      /saga_timer_failures_total\{service="orchestrator",definition="trip-booking@99",outcome="parked"\} 1/,
    );
    expect(metrics).toMatch(
      /saga_timer_failures_total\{service="orchestrator",definition="trip-booking@1",outcome="retried"\} 4/,
    );
    await assertTripInvariants(system);
  });

  it('lists the parked sagas for an operator, saying why and what to do', async () => {
    const attention = (await operator('get', '/operator/attention?stuckSeconds=3600').expect(200))
      .body as {
      bookingId: string;
      attention: { reason: string; action: string; detail: string };
    }[];
    for (const id of Object.values(poison)) {
      expect(attention).toContainEqual(
        expect.objectContaining({
          bookingId: id,
          status: 'PENDING',
          attention: expect.objectContaining({ reason: 'TIMER_PARKED', action: 'retry-timer' }),
        }),
      );
    }
  });

  it("fires a parked timer again on an operator's retry, once its cause is fixed", async () => {
    await system.sql('orchestrator', `UPDATE saga_instances SET data = $2::jsonb WHERE id = $1`, [
      poison.badData,
      JSON.stringify({ ...trip(), bookingId: poison.badData }),
    ]);
    await operator('post', `/bookings/${poison.badData}/retry-timer`).send(by).expect(202);

    expect((await system.settled(poison.badData)).status).toBe('CONFIRMED');
    expect(
      (await system.audit(poison.badData)).find((l) => l.type === 'OPERATOR_RETRIED_TIMER'),
    ).toMatchObject({ detail: by });
    await operator('post', `/bookings/${poison.badData}/retry-timer`).send(by).expect(409);
    await assertTripInvariants(system);
  });

  it('refuses to start an orchestrator while PENDING sagas are pinned to a version it does not register', async () => {
    await system.stopApp('orchestrator');
    await expect(system.startApp('orchestrator')).rejects.toThrow(
      /refusing to start: 1 PENDING saga is pinned to .*trip-booking v99 \(1 saga\).*SAGA_UNREGISTERED_VERSIONS=leave/,
    );
  });

  it('leaves those sagas to another instance when told to: their timers unclaimed, their replies handed back', async () => {
    const app = await system.startApp('orchestrator', { SAGA_UNREGISTERED_VERSIONS: 'leave' });
    const theirs = randomUUID();
    await plant(theirs, 99, {}, { kind: 'reply', stepIndex: 0, attempt: 1 });
    const transport = app.get(MessageTransport);
    const publish = jest.spyOn(transport, 'publish');

    // A reply for it: this instance may not decide it, and may not lose it either.
    const replyId = randomUUID();
    const connection = await connect(system.vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue(
        'orchestrator.replies',
        Buffer.from(
          JSON.stringify({
            messageId: replyId,
            type: 'flight.reserve.reply',
            inReplyTo: randomUUID(),
            sagaId: theirs,
            step: 'flight',
            stepIndex: 0,
            phase: 'forward',
            attempt: 1,
            outcome: 'success',
            payload: { price: 1 },
            sentAt: new Date().toISOString(),
          }),
        ),
        { persistent: true, messageId: replyId, type: 'flight.reserve.reply' },
      );
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }

    // Its own sagas' timers fire meanwhile.
    const timedOut = await system.book(trip({ hotel: 'timeout' }));
    expect((await system.settled(timedOut)).status).toBe('CANCELLED');
    await waitFor(
      () =>
        publish.mock.calls.filter(([m]) => m.messageId === replyId).length >= 2 ? true : undefined,
      { what: 'the reply handed back twice' },
    );
    expect(await timer(theirs)).toMatchObject({ attempts: 0, parked_at: null });
    expect(await inbox(replyId)).toBe(0);
    expect((await system.audit(theirs)).map((l) => l.type)).toEqual([]);
    await system.stopApp('orchestrator');
    await eventually(async () => {
      expect(
        (await queueDepth(system.vhost.vhost, 'orchestrator.replies')).total,
      ).toBeGreaterThanOrEqual(1);
    });
    expect((await queueDepth(system.vhost.vhost, 'orchestrator.replies.dead-letter')).total).toBe(
      0,
    );
  });

  async function inbox(messageId: string, app: AppName = 'orchestrator'): Promise<number> {
    const [row] = await system.sql<{ n: number }>(
      app,
      `SELECT count(*)::int AS n FROM saga_inbox WHERE message_id = $1`,
      [messageId],
    );
    return row.n;
  }
});
