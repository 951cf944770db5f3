import { RetryableStepError, TerminalStepError } from '@app/saga-core';
import { TripErrorCode } from './trip-fault';
import { TripRefusedError } from './trip-refused.error';
import { runTripCompensation, runTripStep } from './trip-step.runner';

describe('runTripStep', () => {
  const delivery = () => ({ suppressReply: jest.fn() });

  it('does the work and answers', async () => {
    const d = delivery();
    await expect(runTripStep('flight', undefined, d, async () => 'done')).resolves.toBe('done');
    expect(d.suppressReply).not.toHaveBeenCalled();
  });

  it('refuses an injected failure before doing any work', async () => {
    const work = jest.fn();
    await expect(runTripStep('hotel', 'fail', delivery(), work)).rejects.toEqual(
      new TerminalStepError(TripErrorCode.INJECTED_FAILURE, 'Injected failure of the hotel'),
    );
    expect(work).not.toHaveBeenCalled();
  });

  it('does the work of an injected timeout but drops the answer', async () => {
    const d = delivery();
    await expect(runTripStep('payment', 'timeout', d, async () => 'charged')).resolves.toBe(
      'charged',
    );
    expect(d.suppressReply).toHaveBeenCalled();
  });

  it('turns a domain refusal into a terminal step error with its code', async () => {
    const refuse = async () => {
      throw new TripRefusedError(TripErrorCode.SOLD_OUT, 'full');
    };
    await expect(runTripStep('flight', undefined, delivery(), refuse)).rejects.toEqual(
      new TerminalStepError(TripErrorCode.SOLD_OUT, 'full'),
    );
  });

  it('lets an outage through, so the command is redelivered', async () => {
    const outage = new Error('connection terminated');
    await expect(
      runTripStep('flight', undefined, delivery(), () => Promise.reject(outage)),
    ).rejects.toBe(outage);
  });

  it('ignores the compensation fault on the forward step', async () => {
    const d = delivery();
    await expect(runTripStep('flight', 'fail-compensation', d, async () => 1)).resolves.toBe(1);
    expect(d.suppressReply).not.toHaveBeenCalled();
  });
});

describe('runTripCompensation', () => {
  it('undoes the step', async () => {
    const work = jest.fn().mockResolvedValue(undefined);
    await runTripCompensation('flight', undefined, work);
    expect(work).toHaveBeenCalled();
  });

  it('fails an injected compensation failure as retryable, without undoing anything', async () => {
    const work = jest.fn();
    await expect(runTripCompensation('hotel', 'fail-compensation', work)).rejects.toBeInstanceOf(
      RetryableStepError,
    );
    expect(work).not.toHaveBeenCalled();
  });

  it('ignores the forward-step faults', async () => {
    const work = jest.fn().mockResolvedValue(undefined);
    await runTripCompensation('payment', 'timeout', work);
    await runTripCompensation('payment', 'fail', work);
    expect(work).toHaveBeenCalledTimes(2);
  });
});
