import { AuditLine } from '../support/booking-client';

export const LIFELINES = ['client', 'orchestrator', 'flight', 'hotel', 'payment'] as const;
export type Lifeline = (typeof LIFELINES)[number];

export type ArrowStyle = 'forward' | 'reply' | 'failure' | 'compensation' | 'result';

export interface SequenceArrow {
  kind: 'arrow';
  from: Lifeline;
  to: Lifeline;
  label: string;
  style: ArrowStyle;
  /** Milliseconds since the saga started. */
  atMs: number;
  /** Choreography: the orchestrator's tracker receives the event too. */
  observed: boolean;
}

export interface SequenceNote {
  kind: 'note';
  over: Lifeline;
  text: string;
  atMs: number;
}

export type SequenceItem = SequenceArrow | SequenceNote;

/**
 * Who reacts to each choreographed event (the table of `TripEvents`); an event nobody else
 * reacts to ends at the orchestrator, which follows every one of them.
 */
const REACTORS: [RegExp, Lifeline][] = [
  [/booking\.requested$/, 'flight'],
  [/flight\.reserved$/, 'hotel'],
  [/hotel\.reserved$/, 'payment'],
  [/hotel\.reservation-failed$/, 'flight'],
  [/payment\.failed$/, 'hotel'],
  [/cancellation-requested$/, 'payment'],
  [/payment\.refund(ed|-failed)$/, 'hotel'],
  [/hotel\.cancell(ed|ation-failed)$/, 'flight'],
];

/**
 * A booking's audit log as a sequence of arrows between client, orchestrator and the three
 * participants. Orchestrated logs give commands and replies; choreographed logs give events,
 * drawn from the service that published them to the one that reacts.
 */
export function sequenceFromAudit(audit: readonly AuditLine[]): SequenceItem[] {
  const t0 = audit.length > 0 ? Date.parse(audit[0].at) : 0;
  const items: SequenceItem[] = [];
  for (const line of audit) {
    const atMs = Date.parse(line.at) - t0;
    const arrow = (from: Lifeline, to: Lifeline, label: string, style: ArrowStyle) =>
      items.push({ kind: 'arrow', from, to, label, style, atMs, observed: false });
    const step = lifelineOf(line.step) ?? 'orchestrator';
    const d = line.detail;
    switch (line.type) {
      case 'SAGA_STARTED':
        arrow('client', 'orchestrator', 'POST /bookings', 'forward');
        break;
      case 'COMMAND_SENT':
        arrow('orchestrator', step, str(d.command, 'command'), 'forward');
        break;
      case 'COMPENSATION_SENT':
        arrow('orchestrator', step, str(d.command, 'compensate'), 'compensation');
        break;
      case 'COMPENSATION_REQUESTED':
        arrow('orchestrator', step, str(d.event, 'compensate'), 'compensation');
        break;
      case 'REPLY_RECEIVED': {
        const failed = d.outcome === 'failure';
        const style = d.phase === 'compensation' ? 'compensation' : failed ? 'failure' : 'reply';
        arrow(step, 'orchestrator', `${str(d.reply, 'reply')} ${failed ? '✗' : '✓'}`, style);
        break;
      }
      case 'EVENT_PUBLISHED':
      case 'EVENT_RECEIVED': {
        const event = str(d.event ?? d.type, 'event');
        const from =
          line.type === 'EVENT_PUBLISHED' ? 'orchestrator' : (lifelineOf(d.source) ?? step);
        const to = REACTORS.find(([pattern]) => pattern.test(event))?.[1] ?? 'orchestrator';
        items.push({
          kind: 'arrow',
          from,
          to,
          label: event,
          style: eventStyle(event),
          atMs,
          observed: from !== 'orchestrator' && to !== 'orchestrator',
        });
        break;
      }
      case 'STEP_FAILED':
        items.push({ kind: 'note', over: 'orchestrator', text: `${line.step} failed`, atMs });
        break;
      case 'STEP_TIMED_OUT':
        items.push({ kind: 'note', over: 'orchestrator', text: `${line.step} timed out`, atMs });
        break;
      case 'SAGA_CONFIRMED':
      case 'SAGA_CANCELLED':
      case 'SAGA_COMPENSATION_FAILED':
        arrow('orchestrator', 'client', line.type.replace('SAGA_', ''), 'result');
        break;
    }
  }
  return items;
}

function eventStyle(event: string): ArrowStyle {
  if (/fail/.test(event)) return 'failure';
  if (/cancel|refund/.test(event)) return 'compensation';
  return 'forward';
}

/** `flight`, `flight-service` or `trip.flight…` → the flight lifeline, and so on. */
function lifelineOf(name: unknown): Lifeline | undefined {
  if (typeof name !== 'string') return undefined;
  return LIFELINES.find((l) => l !== 'client' && name.toLowerCase().includes(l));
}

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
