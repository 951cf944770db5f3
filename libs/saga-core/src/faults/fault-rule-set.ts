import { MATCH_ANY } from './fault-action';
import { FaultRule, FaultRuleInput } from './fault-rule';

/**
 * A process's runtime fault rules, in memory, in the order they were added. `take` picks the
 * first rule that matches a message type, rolls its probability and uses one of its firings,
 * with no await in between: two messages handled at once can never both spend a rule's last
 * firing.
 */
export class FaultRuleSet {
  private readonly rules: FaultRule[] = [];
  private nextId = 1;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => Date = () => new Date(),
  ) {}

  add(input: FaultRuleInput): FaultRule {
    const count = input.count ?? null;
    const rule: FaultRule = {
      id: `rule-${this.nextId++}`,
      match: input.match,
      action: input.action,
      probability: input.probability ?? 1,
      count,
      remaining: count,
      delayMs: input.delayMs ?? null,
      hits: 0,
      createdAt: this.now().toISOString(),
    };
    this.rules.push(rule);
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** Removes one rule; false when there is none by that id. */
  remove(id: string): boolean {
    const index = this.rules.findIndex((rule) => rule.id === id);
    if (index < 0) return false;
    this.rules.splice(index, 1);
    return true;
  }

  /** Removes every rule and says how many there were. */
  clear(): number {
    return this.rules.splice(0).length;
  }

  /**
   * The rule that fires for a message of `type`, its firing counted, or null. A matching rule
   * whose probability roll misses lets the next matching rule have its turn.
   */
  take(type: string): FaultRule | null {
    for (const rule of this.rules) {
      if (rule.match !== MATCH_ANY && rule.match !== type) continue;
      if (rule.remaining === 0) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (rule.remaining !== null) rule.remaining--;
      rule.hits++;
      return { ...rule };
    }
    return null;
  }
}
