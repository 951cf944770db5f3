import { commandEndpoint } from '../definition/command-endpoint';
import { activeSteps } from '../definition/saga-definition';
import { defineSaga } from '../definition/saga-definition.builder';
import { AuditType } from '../model/audit-entry';
import { SagaStatus } from '../model/saga-status';
import { StepStatus } from '../model/step-status';
import {
  optionalCases,
  optionalSaga,
  Order,
  priceOf,
  run,
  STEPS,
  undo,
} from '../testing/optional-steps.fixture';
import { SagaUnitTest } from '../testing/saga-unit-test';

describe('an orchestrated saga with an optional step (a, b, c only if asked, d)', () => {
  it('marks only the optional step optional in its spec, so other specs stay as stored', () => {
    expect(optionalSaga.spec.steps.map((s) => s.optional)).toEqual([
      undefined,
      undefined,
      true,
      undefined,
    ]);
    expect(optionalSaga.spec.steps.filter((s) => 'optional' in s).map((s) => s.name)).toEqual([
      'c',
    ]);
    expect(activeSteps(optionalSaga, { id: 'o', prices: {} })).toEqual([true, true, false, true]);
    expect(activeSteps(optionalSaga, { id: 'o', prices: {}, extra: 'x' })).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  for (const c of optionalCases()) {
    it(`${c.title}: sends ${c.ran.join(', ')}, undoes ${c.undone.join(', ') || 'nothing'}`, () => {
      const test = SagaUnitTest.of(optionalSaga).givenStarted(c.order);
      for (const step of c.ran) {
        test.expectCommand(run(step), { id: 'o-1' });
        if (step === c.failed) test.andReplyFailure('REFUSED');
        else test.andReplySuccess({ price: priceOf(step) });
      }
      for (const step of c.undone) test.expectCommand(undo(step)).andReplySuccess();
      test.expectNoCommand().expectStatus(c.failed ? SagaStatus.CANCELLED : SagaStatus.CONFIRMED);

      const statusOf = (step: string): StepStatus => {
        if (step === c.failed) return StepStatus.FAILED;
        if (c.undone.includes(step as never)) return StepStatus.COMPENSATED;
        if (c.ran.includes(step as never)) return StepStatus.COMPLETED;
        return step === 'c' && !c.order.extra ? StepStatus.INACTIVE : StepStatus.SKIPPED;
      };
      test.expectSteps(Object.fromEntries(STEPS.map((s) => [s, statusOf(s)])));

      const lines = (type: string) => test.audit.filter((a) => a.type === type).map((a) => a.step);
      // An inactive step has no audit line: it is created so, with no change of its own.
      if (!c.order.extra) expect(test.audit.filter((a) => a.step === 'c')).toEqual([]);
      expect(lines(AuditType.COMMAND_SENT)).toEqual(c.ran);
      expect(lines(AuditType.COMPENSATION_SENT)).toEqual(c.undone);
      const folded = c.ran.filter((s) => s !== c.failed);
      test.expectData(
        (o: Order) =>
          JSON.stringify(o.prices) ===
          JSON.stringify(Object.fromEntries(folded.map((s) => [s, priceOf(s)]))),
        'the prices of the steps that succeeded',
      );
    });
  }

  it('skips an optional first step, and confirms at once when no step runs', () => {
    const only = (flag: string) =>
      defineSaga<{ flags: string[] }>('flags', 1)
        .step('x')
        .invokeParticipant(commandEndpoint('x.commands', 'x.do'), () => ({}))
        .withCompensation(commandEndpoint('x.commands', 'x.undo'), () => ({}))
        .onlyIf((d) => d.flags.includes(flag))
        .step('y')
        .invokeParticipant(commandEndpoint('y.commands', 'y.do'), () => ({}))
        .withCompensation(commandEndpoint('y.commands', 'y.undo'), () => ({}))
        .onlyIf((d) => d.flags.includes('y'))
        .build();
    SagaUnitTest.of(only('x'))
      .givenStarted({ flags: ['y'] })
      .expectCommand(commandEndpoint('y.commands', 'y.do'))
      .expectSteps({ x: StepStatus.INACTIVE, y: StepStatus.RUNNING })
      .andReplyFailure('NO')
      .expectNoCommand()
      .expectStatus(SagaStatus.CANCELLED)
      .expectSteps({ x: StepStatus.INACTIVE, y: StepStatus.FAILED });
    SagaUnitTest.of(only('x'))
      .givenStarted({ flags: [] })
      .expectNoCommand()
      .expectStatus(SagaStatus.CONFIRMED)
      .expectSteps({ x: StepStatus.INACTIVE, y: StepStatus.INACTIVE });
  });
});
