import { tripParticipantProfiles } from '@app/trip-api';
import { planPoison, POISON_KINDS } from './poison-injector';

const COMMAND_QUEUES = tripParticipantProfiles().map((p) => p.commandQueue);

describe('planPoison', () => {
  it('cycles through the kinds and puts the same kinds on the same queues for one seed', () => {
    const plan = planPoison(9, 4);
    expect(plan.map((p) => p.kind)).toEqual([...POISON_KINDS, ...POISON_KINDS, ...POISON_KINDS]);
    expect(planPoison(9, 4).map((p) => p.queue)).toEqual(plan.map((p) => p.queue));
  });

  it('sends replies only what cannot be read, and commands of every kind', () => {
    const plan = planPoison(300, 1);
    const onReplies = plan.filter((p) => p.queue === 'orchestrator.replies');
    expect(onReplies.length).toBeGreaterThan(0);
    expect(new Set(onReplies.map((p) => p.kind))).toEqual(new Set(['unreadable']));
    expect(new Set(plan.map((p) => p.queue))).toEqual(
      new Set([...COMMAND_QUEUES, 'orchestrator.replies']),
    );
  });

  it('makes bodies that no consumer can handle', () => {
    const [unreadable, unknown, invalid] = planPoison(3, 2);
    expect(() => JSON.parse(unreadable.content.toString()) as unknown).toThrow();
    expect(JSON.parse(unknown.content.toString())).toMatchObject({ type: /\.explode$/ });
    expect(JSON.parse(invalid.content.toString())).not.toHaveProperty('sagaId');
  });
});
