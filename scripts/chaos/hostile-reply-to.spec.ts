import { tripParticipantProfiles } from '@app/trip-api';
import { expectedHostileDeadLetters, planHostileReplyTo } from './hostile-reply-to';

const COMMAND_QUEUES = tripParticipantProfiles().map((p) => p.commandQueue);

describe('planHostileReplyTo', () => {
  it("cycles through the kinds, on every participant's command queue, the same for one seed", () => {
    const plan = planHostileReplyTo(30, 5);
    expect(plan.slice(0, 3).map((h) => h.kind)).toEqual([
      'existing-other-arguments',
      'reserved',
      'random',
    ]);
    expect(planHostileReplyTo(30, 5).map((h) => [h.queue, h.kind])).toEqual(
      plan.map((h) => [h.queue, h.kind]),
    );
    expect(new Set(plan.map((h) => h.queue))).toEqual(new Set(COMMAND_QUEUES));
  });

  it('names queues no participant may answer on, in otherwise well-formed compensations', () => {
    for (const h of planHostileReplyTo(30, 2)) {
      const body = JSON.parse(h.content.toString()) as Record<string, unknown>;
      expect(body).toMatchObject({ messageId: h.messageId, type: h.type, replyTo: h.replyTo });
      expect(body).toMatchObject({ phase: 'compensation', stepIndex: 0, attempt: 1 });
      if (h.kind === 'existing-other-arguments') expect(h.replyTo).toMatch(/\.dead-letter$/);
      if (h.kind === 'reserved') expect(h.replyTo).toMatch(/^amq\./);
      if (h.kind === 'random') expect(h.replyTo).toMatch(/^chaos-reply-/);
      expect(h.replyTo).not.toBe(`${h.queue}.dead-letter`);
    }
  });

  it('expects each in its own queue’s dead letters as untrusted-reply-to', () => {
    const [h] = planHostileReplyTo(1, 1);
    expect(expectedHostileDeadLetters([h])).toEqual([
      { queue: `${h.queue}.dead-letter`, messageId: h.messageId, reason: 'untrusted-reply-to' },
    ]);
  });
});
