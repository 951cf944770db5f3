import { FaultRuleSet } from './fault-rule-set';

const at = new Date('2030-01-01T00:00:00.000Z');

function rulesRolling(...rolls: number[]): FaultRuleSet {
  return new FaultRuleSet(
    () => {
      const roll = rolls.shift();
      if (roll === undefined) throw new Error('no roll left');
      return roll;
    },
    () => at,
  );
}

describe('FaultRuleSet', () => {
  it('stores a rule with its defaults: always, unlimited', () => {
    const rules = new FaultRuleSet(Math.random, () => at);
    expect(rules.add({ match: 'flight.reserve', action: 'fail' })).toEqual({
      id: 'rule-1',
      match: 'flight.reserve',
      action: 'fail',
      probability: 1,
      count: null,
      remaining: null,
      delayMs: null,
      hits: 0,
      createdAt: '2030-01-01T00:00:00.000Z',
    });
  });

  it('fires only for the type it matches, or for any type with *', () => {
    const rules = new FaultRuleSet();
    rules.add({ match: 'hotel.cancel', action: 'refuse' });
    expect(rules.take('hotel.reserve')).toBeNull();
    expect(rules.take('hotel.cancel')).toMatchObject({ action: 'refuse', hits: 1 });
    rules.clear();
    rules.add({ match: '*', action: 'delay', delayMs: 50 });
    expect(rules.take('trip.booking.requested')).toMatchObject({ action: 'delay', delayMs: 50 });
  });

  it('fires count times, then stays listed at 0 and fires no more', () => {
    const rules = new FaultRuleSet();
    rules.add({ match: 'flight.reserve', action: 'fail', count: 2 });
    expect(rules.take('flight.reserve')).toMatchObject({ remaining: 1, hits: 1 });
    expect(rules.take('flight.reserve')).toMatchObject({ remaining: 0, hits: 2 });
    expect(rules.take('flight.reserve')).toBeNull();
    expect(rules.list()).toEqual([expect.objectContaining({ remaining: 0, hits: 2 })]);
  });

  it('counts a firing once however many messages ask at once', () => {
    const rules = new FaultRuleSet();
    rules.add({ match: '*', action: 'throw', count: 3 });
    const fired = Array.from({ length: 10 }, () => rules.take('payment.charge')).filter(Boolean);
    expect(fired).toHaveLength(3);
  });

  it('fires with its probability, and a miss spends nothing', () => {
    const rules = rulesRolling(0.7, 0.2);
    rules.add({ match: 'payment.charge', action: 'fail', probability: 0.5, count: 1 });
    expect(rules.take('payment.charge')).toBeNull();
    expect(rules.list()[0]).toMatchObject({ remaining: 1, hits: 0 });
    expect(rules.take('payment.charge')).toMatchObject({ remaining: 0, hits: 1 });
  });

  it('never fires at probability 0', () => {
    const rules = rulesRolling(0, 0, 0);
    rules.add({ match: '*', action: 'crash', probability: 0 });
    expect([rules.take('a'), rules.take('b'), rules.take('c')]).toEqual([null, null, null]);
  });

  it('lets the next matching rule fire when the first one is spent or misses', () => {
    const rules = rulesRolling(0.9);
    rules.add({ match: 'hotel.reserve', action: 'fail', count: 1 });
    rules.add({ match: 'hotel.reserve', action: 'delay', probability: 0.5, delayMs: 10 });
    rules.add({ match: '*', action: 'drop-reply' });
    expect(rules.take('hotel.reserve')?.action).toBe('fail');
    expect(rules.take('hotel.reserve')?.action).toBe('drop-reply');
  });

  it('hands out copies: what a caller does to a rule changes nothing stored', () => {
    const rules = new FaultRuleSet();
    const added = rules.add({ match: '*', action: 'fail', count: 1 });
    added.remaining = 99;
    const listed = rules.list();
    listed[0].hits = 42;
    expect(rules.list()[0]).toMatchObject({ remaining: 1, hits: 0 });
  });

  it('removes one rule by id, or all of them', () => {
    const rules = new FaultRuleSet();
    const first = rules.add({ match: 'a', action: 'fail' });
    rules.add({ match: 'b', action: 'fail' });
    rules.add({ match: 'c', action: 'fail' });
    expect(rules.remove(first.id)).toBe(true);
    expect(rules.remove(first.id)).toBe(false);
    expect(rules.list().map((r) => r.match)).toEqual(['b', 'c']);
    expect(rules.clear()).toBe(2);
    expect(rules.list()).toEqual([]);
  });
});
