import { FaultAction } from './fault-action';

/** What a client asks for when it adds a rule. */
export interface FaultRuleInput {
  /** A command or event type (`flight.reserve`, `trip.booking.requested`), or `*` for any. */
  match: string;
  action: FaultAction;
  /** Chance, from 0 to 1, that a matching message is hit. Default 1. */
  probability?: number;
  /** How many times the rule fires before it stops; unlimited when absent. */
  count?: number;
  /** For `delay`: how long to wait before handling. */
  delayMs?: number;
}

/** A rule as stored in the process, and as `GET /faults` shows it. */
export interface FaultRule {
  id: string;
  match: string;
  action: FaultAction;
  probability: number;
  /** The count asked for; null for unlimited. */
  count: number | null;
  /** Firings left; null for unlimited. A rule at 0 stays listed but never fires again. */
  remaining: number | null;
  delayMs: number | null;
  /** Times it fired. */
  hits: number;
  createdAt: string;
}
