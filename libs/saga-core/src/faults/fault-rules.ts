import { Inject, Injectable, Logger } from '@nestjs/common';
import { SAGA_CORE_OPTIONS, SagaCoreOptions } from '../saga-core.options';
import { faultRuleHitsCounter } from './fault-metrics';
import { FaultRule, FaultRuleInput } from './fault-rule';
import { FaultRuleSet } from './fault-rule-set';

/**
 * This app's runtime fault rules, which its command and event dispatchers consult for each
 * message. In memory and per app instance: a restart forgets them, and several apps in one
 * process (end-to-end tests) each have their own. Each firing is counted in `/metrics`.
 */
@Injectable()
export class FaultRules {
  private readonly rules = new FaultRuleSet();
  private readonly hits = faultRuleHitsCounter();
  private readonly logger = new Logger(FaultRules.name);

  constructor(@Inject(SAGA_CORE_OPTIONS) private readonly options: SagaCoreOptions) {}

  add(input: FaultRuleInput): FaultRule {
    const rule = this.rules.add(input);
    this.logger.warn(`Fault rule ${rule.id} added: ${rule.action} on ${rule.match}`);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.list();
  }

  remove(id: string): boolean {
    return this.rules.remove(id);
  }

  clear(): number {
    return this.rules.clear();
  }

  /** The rule that fires for a message of `type`, if any; its firing is counted and logged. */
  hit(type: string): FaultRule | null {
    const rule = this.rules.take(type);
    if (!rule) return null;
    this.hits.inc({ service: this.options.serviceName, action: rule.action });
    this.logger.warn(`Fault rule ${rule.id} fired: ${rule.action} on ${type}`);
    return rule;
  }
}
