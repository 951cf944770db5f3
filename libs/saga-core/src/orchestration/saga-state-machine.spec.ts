import { commandEndpoint } from '../definition/command-endpoint';
import { defineSaga } from '../definition/saga-definition.builder';
import { SagaUnitTest } from '../testing/saga-unit-test';
import { AuditType } from '../model/audit-entry';
import { SagaStateMachine } from './saga-state-machine';
import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';

interface Order {
  id: string;
  reserved?: number;
}

const reserve = commandEndpoint<{ id: string }, { units: number }>(
  'stock.commands',
  'stock.reserve',
);
const release = commandEndpoint<{ id: string }>('stock.commands', 'stock.release');
const charge = commandEndpoint<{ id: string; units: number }>('card.commands', 'card.charge');
const ship = commandEndpoint<{ id: string }>('ship.commands', 'ship.send');

const order = defineSaga<Order>('order', 1)
  .step('stock')
  .invokeParticipant(reserve, (o) => ({ id: o.id }))
  .onReply((o, r) => ({ ...o, reserved: r.units }))
  .withCompensation(release, (o) => ({ id: o.id }))
  .withTimeout(1_000, { retryOnTimeout: true })
  .withRetry({ maxAttempts: 3, initialDelayMs: 100 })
  .step('card')
  .invokeParticipant(charge, (o) => ({ id: o.id, units: o.reserved ?? 0 }))
  .pivot()
  .step('ship')
  .invokeParticipant(ship, (o) => ({ id: o.id }))
  .retriable()
  .withRetry({ maxAttempts: 10, initialDelayMs: 100 })
  .build();

describe('SagaStateMachine', () => {
  it('retries a step that fails transiently twice, then goes on', () => {
    const run = SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andReplyFailure('DB_DOWN', { retryable: true })
      .expectNoCommand()
      .andTimerFires()
      .expectCommand(reserve)
      .andReplyFailure('DB_DOWN', { retryable: true })
      .andTimerFires()
      .andReplySuccess({ units: 4 })
      .expectCommand(charge, { units: 4 })
      .expectSteps({ stock: StepStatus.COMPLETED, card: StepStatus.RUNNING });
    expect(run.state.steps[0].attempts).toBe(3);
    expect(run.audit.filter((e) => e.type === AuditType.STEP_RETRY_SCHEDULED)).toHaveLength(2);
  });

  it('does not retry a business refusal', () => {
    SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andReplyFailure('OUT_OF_STOCK', { retryable: false })
      .expectNoCommand()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        stock: StepStatus.FAILED,
        card: StepStatus.SKIPPED,
        ship: StepStatus.SKIPPED,
      });
  });

  it('retries a step on timeout when it is declared retriable on timeout', () => {
    SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andTimerFires()
      .expectAuditSequence([
        `${AuditType.STEP_TIMED_OUT}:stock`,
        `${AuditType.STEP_RETRY_SCHEDULED}:stock`,
      ])
      .andTimerFires()
      .expectCommand(reserve)
      .expectStatus(SagaStatus.PENDING);
  });

  it('compensates a step that timed out and then failed on a later attempt: the first may have taken effect', () => {
    const run = SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andTimerFires()
      .andTimerFires()
      .expectCommand(reserve)
      .andReplyFailure('OUT_OF_STOCK', { retryable: false })
      .expectCommand(release)
      .expectSteps({ stock: StepStatus.COMPENSATING });
    expect(run.state.steps[0].mayHaveTakenEffect).toBe(true);
    run.andReplySuccess().expectStatus(SagaStatus.CANCELLED).expectSteps({
      stock: StepStatus.COMPENSATED,
      card: StepStatus.SKIPPED,
      ship: StepStatus.SKIPPED,
    });
  });

  it('compensates a step whose attempts all ran out after one of them timed out', () => {
    SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andTimerFires()
      .andTimerFires()
      .andReplyFailure('DB_DOWN', { retryable: true })
      .andTimerFires()
      .andReplyFailure('DB_DOWN', { retryable: true })
      .expectCommand(release)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ stock: StepStatus.COMPENSATED });
  });

  it('does not compensate a step that failed on every attempt without ever timing out', () => {
    const run = SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andReplyFailure('DB_DOWN', { retryable: true })
      .andTimerFires()
      .andReplyFailure('OUT_OF_STOCK', { retryable: false })
      .expectNoCommand()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ stock: StepStatus.FAILED });
    expect(run.state.steps[0].mayHaveTakenEffect).toBe(false);
  });

  it('ignores a late reply for an attempt that timed out, and records it', () => {
    const run = SagaUnitTest.of(order).givenStarted({ id: 'o-1' });
    const first = run.state.awaiting[0];
    run.andTimerFires().andTimerFires();
    const machine = new SagaStateMachine(order, {
      now: () => new Date(),
      newId: () => 'x',
      random: () => 1,
      replyQueue: 'r',
      source: 'test',
    });
    const result = machine.onReply(run.state, {
      messageId: 'late',
      type: 'stock.reserve.reply',
      inReplyTo: first?.commandId ?? '',
      sagaId: run.state.id,
      step: 'stock',
      stepIndex: 0,
      phase: 'forward',
      attempt: 1,
      outcome: 'success',
      payload: { units: 1 },
      sentAt: new Date().toISOString(),
    });
    expect('ignored' in result && result.audit[0]).toMatchObject({
      type: AuditType.REPLY_IGNORED,
      step: 'stock',
      detail: {
        attempt: 1,
        outcome: 'success',
        reason: 'no longer awaited: step stock is RUNNING',
      },
    });
  });

  it('calls a reply of a type none of its commands gets poison, even when its ids match', () => {
    const run = SagaUnitTest.of(order).givenStarted({ id: 'o-2' });
    const awaited = run.state.awaiting[0];
    const machine = new SagaStateMachine(order, {
      now: () => new Date(),
      newId: () => 'x',
      random: () => 1,
      replyQueue: 'r',
      source: 'test',
    });
    const reply = {
      messageId: 'odd',
      type: 'stock.reserve.reply',
      inReplyTo: awaited?.commandId ?? '',
      sagaId: run.state.id,
      step: 'stock',
      stepIndex: 0,
      phase: 'forward' as const,
      attempt: 1,
      outcome: 'success' as const,
      payload: { units: 1 },
      sentAt: new Date().toISOString(),
    };
    expect(() => machine.onReply(run.state, { ...reply, type: 'stock.explode.reply' })).toThrow(
      expect.objectContaining({ code: 'POISON_MESSAGE', reason: 'unknown-type' }),
    );
    expect('ignored' in machine.onReply(run.state, reply)).toBe(false);
  });

  it('ignores a timer that no longer matches what the saga waits for', () => {
    const run = SagaUnitTest.of(order).givenStarted({ id: 'o-1' }).andReplySuccess({ units: 1 });
    const machine = new SagaStateMachine(order, {
      now: () => new Date(),
      newId: () => 'x',
      random: () => 1,
      replyQueue: 'r',
      source: 'test',
    });
    expect(
      machine.onTimer(run.state, {
        sagaId: 'saga-1',
        fireAt: new Date(),
        key: 'reply:forward:0:1',
      }),
    ).toBeNull();
  });

  it('retries a step after the pivot until it succeeds, past its attempts, and never compensates', () => {
    let run = SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andReplySuccess({ units: 1 })
      .andReplySuccess()
      .expectCommand(ship);
    for (let attempt = 1; attempt <= 12; attempt++) {
      run = run
        .andReplyFailure('CARRIER_REFUSED', { retryable: attempt % 2 === 0 })
        .andTimerFires();
    }
    run.andReplySuccess().expectStatus(SagaStatus.CONFIRMED).expectSteps({
      stock: StepStatus.COMPLETED,
      card: StepStatus.COMPLETED,
      ship: StepStatus.COMPLETED,
    });
    expect(run.audit.some((e) => e.type === AuditType.COMPENSATION_STARTED)).toBe(false);
    expect(run.state.steps[2].attempts).toBeGreaterThan(10);
  });

  it('compensates the steps before a failed pivot', () => {
    SagaUnitTest.of(order)
      .givenStarted({ id: 'o-1' })
      .andReplySuccess({ units: 2 })
      .andReplyFailure('CARD_DECLINED')
      .expectCommand(release)
      .andReplySuccess()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({
        stock: StepStatus.COMPENSATED,
        card: StepStatus.FAILED,
        ship: StepStatus.SKIPPED,
      });
  });

  it('keeps a version that grows by one per transition', () => {
    const run = SagaUnitTest.of(order).givenStarted({ id: 'o-1' });
    expect(run.state.version).toBe(1);
    run.andReplySuccess({ units: 1 });
    expect(run.state.version).toBe(2);
  });
});

describe('defineSaga', () => {
  it('refuses a compensatable step after the pivot', () => {
    expect(() =>
      defineSaga<Order>('bad', 1)
        .step('card')
        .invokeParticipant(charge, (o) => ({ id: o.id, units: 1 }))
        .step('stock')
        .invokeParticipant(reserve, (o) => ({ id: o.id }))
        .withCompensation(release, (o) => ({ id: o.id }))
        .build(),
    ).toThrow(/follows card, which cannot be undone/);
  });

  it('refuses duplicate step names and empty sagas', () => {
    expect(() => defineSaga<Order>('empty', 1).build()).toThrow(/no steps/);
    expect(() =>
      defineSaga<Order>('dup', 1)
        .step('a')
        .invokeParticipant(ship, (o) => ({ id: o.id }))
        .step('a')
        .invokeParticipant(ship, (o) => ({ id: o.id }))
        .build(),
    ).toThrow(/declared twice/);
  });

  it('builds a plain serialisable spec', () => {
    const spec = JSON.parse(JSON.stringify(order.spec));
    expect(spec).toEqual(order.spec);
    expect(spec.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'compensatable',
      'pivot',
      'retriable',
    ]);
  });
});
