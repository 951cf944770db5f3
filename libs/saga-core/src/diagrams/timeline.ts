import { AuditType } from '../model/audit-entry';
import { AuditRecord, timeOf } from './audit-record';

export type TimelinePhase = 'forward' | 'compensation';

export type TimelineOutcome =
  'completed' | 'failed' | 'timed-out' | 'cancelled' | 'compensated' | 'compensation-failed';

/** One step's work, or its undo, as a span of the saga's time. */
export interface TimelineBar {
  step: string;
  phase: TimelinePhase;
  /** Milliseconds since the saga started. */
  startMs: number;
  endMs: number;
  /** How it ended; null while it still runs (it then ends at the last line, or now). */
  outcome: TimelineOutcome | null;
  /** When each attempt after the first was sent. */
  retriesMs: number[];
}

export interface Timeline {
  /** From the first audit line to the last (or to now, while the saga runs). */
  totalMs: number;
  bars: TimelineBar[];
}

const FORWARD_ENDS: Record<string, TimelineOutcome> = {
  [AuditType.STEP_COMPLETED]: 'completed',
  [AuditType.STEP_FAILED]: 'failed',
  [AuditType.STEP_TIMED_OUT]: 'timed-out',
  [AuditType.OPERATOR_CANCELLED]: 'cancelled',
};

const COMPENSATION_ENDS: Record<string, TimelineOutcome> = {
  [AuditType.STEP_COMPENSATED]: 'compensated',
  [AuditType.STEP_COMPENSATION_FAILED]: 'compensation-failed',
};

interface Span {
  start?: number;
  end?: number;
  outcome: TimelineOutcome | null;
  retries: number[];
}

/**
 * A bar per step and phase from the audit log. A bar starts when the step's first command (or
 * compensation) was sent; a choreographed step sends none, so its work starts when the step
 * before it ended, and its undo when the undo before it ended (or when compensation began).
 * A second send of the same phase is a retry: a tick on the bar. `nowMs` (since the epoch)
 * ends the bars still running; without it they end at the last line.
 */
export function timelineFromAudit(
  audit: readonly AuditRecord[],
  steps: readonly string[],
  nowMs?: number,
): Timeline {
  if (audit.length === 0) return { totalMs: 0, bars: [] };
  const t0 = timeOf(audit[0]);
  const spans = new Map<string, Span>();
  const span = (step: string, phase: TimelinePhase): Span => {
    const key = `${phase}:${step}`;
    let found = spans.get(key);
    if (!found) spans.set(key, (found = { outcome: null, retries: [] }));
    return found;
  };
  let lastForwardEnd = 0;
  let compensationFrom: number | undefined;
  for (const line of audit) {
    const at = timeOf(line) - t0;
    const step = line.step;
    if (line.type === AuditType.COMPENSATION_STARTED) compensationFrom = at;
    if (line.type === AuditType.OPERATOR_RETRIED_COMPENSATION) compensationFrom = at;
    if (!step) continue;
    if (line.type === AuditType.COMMAND_SENT) sent(span(step, 'forward'), at);
    if (line.type === AuditType.COMPENSATION_SENT) sent(span(step, 'compensation'), at);
    const forwardEnd = FORWARD_ENDS[line.type];
    if (forwardEnd) {
      const s = span(step, 'forward');
      s.start ??= lastForwardEnd;
      [s.end, s.outcome, lastForwardEnd] = [at, forwardEnd, at];
    }
    const compensationEnd = COMPENSATION_ENDS[line.type];
    if (compensationEnd) {
      const s = span(step, 'compensation');
      s.start ??= compensationFrom ?? at;
      [s.end, s.outcome, compensationFrom] = [at, compensationEnd, at];
    }
  }
  const lastMs = timeOf(audit[audit.length - 1]) - t0;
  const openUntil = nowMs === undefined ? lastMs : Math.max(lastMs, nowMs - t0);
  const bars: TimelineBar[] = [];
  for (const phase of ['forward', 'compensation'] as const) {
    for (const step of steps) {
      const s = spans.get(`${phase}:${step}`);
      if (s?.start === undefined) continue;
      const endMs = s.end ?? openUntil;
      bars.push({ step, phase, startMs: s.start, endMs, outcome: s.outcome, retriesMs: s.retries });
    }
  }
  const totalMs = Math.max(lastMs, ...bars.map((b) => b.endMs));
  return { totalMs, bars };
}

/** A first send opens the span; a later one is a retry, and reopens a span that had failed. */
function sent(s: Span, at: number): void {
  if (s.start === undefined) {
    s.start = at;
    return;
  }
  s.retries.push(at);
  if (s.end !== undefined) [s.end, s.outcome] = [undefined, null];
}
