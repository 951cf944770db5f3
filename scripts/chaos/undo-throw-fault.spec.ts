import { TRIP_PARTICIPANTS } from '@app/trip-api';
import { tripSteps } from '../support/trip-steps';
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
    const steps = new Map(tripSteps().map((s) => [s.name, s]));
    // As the saga's order implies: the flight undoes on the hotel's failure, or the payment's.
    expect(steps.get('flight')?.compensation).toBe('flight.cancel');
    expect(steps.get('flight')?.undoneOn).toEqual(
      expect.arrayContaining(['trip.hotel.reservation-failed', 'trip.payment.refunded']),
    );
    for (const rule of rules) {
      const step = steps.get(rule.participant);
      expect([step?.compensation, ...(step?.undoneOn ?? [])]).toContain(rule.match);
      expect(rule.mode).toBe(rule.match.startsWith('trip.') ? 'choreographed' : 'orchestrated');
      // 5 dead-lettered tries of 6 deliveries, or 2 undos given up after 5 tries, per draw.
      expect(rule.count % (rule.mode === 'orchestrated' ? 30 : 10)).toBe(0);
    }
    expect(new Set(rules.map((r) => `${r.participant} ${r.match}`)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.participant))).toEqual(new Set(TRIP_PARTICIPANTS));
  });
});
