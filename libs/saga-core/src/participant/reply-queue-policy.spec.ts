import { PoisonMessageError } from '../errors/poison-message.error';
import { parseReplyQueues, ReplyQueuePolicy, replyQueueProblems } from './reply-queue-policy';

describe('ReplyQueuePolicy', () => {
  const policy = new ReplyQueuePolicy(['orchestrator.replies', 'tenant-a.replies.*']);

  it('allows the configured queues and the names a prefix entry covers', () => {
    expect(policy.allows('orchestrator.replies')).toBe(true);
    expect(policy.allows('tenant-a.replies.instance-1')).toBe(true);
    expect(policy.queues).toEqual(['orchestrator.replies']);
  });

  it('refuses any other name, reserved names and dead-letter queues', () => {
    for (const name of [
      'orchestrator.replies.dead-letter',
      'tenant-a.replies.x.dead-letter',
      'tenant-a.replies.',
      'amq.gen-JzTY20BRgKO-HjmUJj0wLg',
      'amq.rabbitmq.reply-to',
      'flight.commands',
      'random-3f9c',
      '',
      'orchestrator replies',
      'x'.repeat(300),
    ]) {
      expect([name, policy.allows(name)]).toEqual([name, false]);
    }
  });

  it('answers a replyTo it refuses with a poison error that says why', () => {
    expect(() => policy.check('orchestrator.replies.dead-letter')).toThrow(PoisonMessageError);
    let thrown: unknown;
    try {
      policy.check('amq.rabbitmq.reply-to');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'POISON_MESSAGE',
      reason: 'untrusted-reply-to',
      message: expect.stringContaining('amq.rabbitmq.reply-to'),
    });
    expect(() => policy.check('orchestrator.replies')).not.toThrow();
  });

  it('refuses a configuration that would allow reserved names or dead-letter queues', () => {
    expect(replyQueueProblems([])).toHaveLength(1);
    expect(replyQueueProblems(['amq.*'])).toHaveLength(1);
    expect(replyQueueProblems(['a.dead-letter'])).toHaveLength(1);
    expect(replyQueueProblems(['ok', 'not ok'])).toHaveLength(1);
    expect(replyQueueProblems(parseReplyQueues('orchestrator.replies, probe.*'))).toEqual([]);
    expect(() => new ReplyQueuePolicy(['*'])).toThrow(/invalid reply queues/);
  });
});
