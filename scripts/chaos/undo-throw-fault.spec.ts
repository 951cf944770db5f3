import { planUndoThrows } from './undo-throw-fault';

describe('the undo-throw fault plan', () => {
  it('gives the same rules for the same seed', () => {
    expect(planUndoThrows(4, 7)).toEqual(planUndoThrows(4, 7));
    expect(planUndoThrows(0, 7)).toEqual([]);
  });

  it('covers both modes as soon as there are two faults', () => {
    for (const seed of [1, 2, 3, 4]) {
      expect(new Set(planUndoThrows(2, seed).map((r) => r.mode))).toEqual(
        new Set(['orchestrated', 'choreographed']),
      );
    }
  });

  it('throws on what asks a participant for its undo, in one mode, enough to dead-letter or give it up', () => {
    const rules = planUndoThrows(40, 1);
    const undoOf: Record<string, RegExp> = {
      flight: /^(flight\.cancel|trip\.hotel\.(reservation-failed|cancelled))$/,
      hotel: /^(hotel\.cancel|trip\.payment\.(failed|refunded))$/,
      payment: /^(payment\.refund|trip\.booking\.cancellation-requested)$/,
    };
    for (const rule of rules) {
      expect(rule.match).toMatch(undoOf[rule.participant]);
      expect(rule.mode).toBe(rule.match.startsWith('trip.') ? 'choreographed' : 'orchestrated');
      // 5 dead-lettered tries of 6 deliveries, or 2 undos given up after 5 tries, per draw.
      expect(rule.count % (rule.mode === 'orchestrated' ? 30 : 10)).toBe(0);
    }
    expect(new Set(rules.map((r) => `${r.participant} ${r.match}`)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.participant))).toEqual(
      new Set(['flight', 'hotel', 'payment']),
    );
  });
});
