import { AuditType } from '../model/audit-entry';
import { AuditRecord, detailText, timeOf } from './audit-record';
import { SequenceParties } from './sequence-parties';

export type ArrowStyle = 'forward' | 'reply' | 'failure' | 'compensation' | 'result';

export interface SequenceArrow {
  kind: 'arrow';
  from: string;
  to: string;
  label: string;
  style: ArrowStyle;
  /** Milliseconds since the saga started. */
  atMs: number;
  /** Choreography: the engine receives the event too, though another party reacts to it. */
  observed: boolean;
}

export interface SequenceNote {
  kind: 'note';
  over: string;
  text: string;
  atMs: number;
}

export type SequenceItem = SequenceArrow | SequenceNote;

export interface SequenceOptions {
  /** The label of the arrow that starts the saga; default `start`. */
  startLabel?: string;
}

/**
 * A saga's audit log as arrows between its parties. Orchestrated logs give commands and
 * replies; choreographed logs give events, drawn from the party that published each one to
 * the one that reacts to it (see `sequenceParties`).
 */
export function sequenceFromAudit(
  audit: readonly AuditRecord[],
  parties: SequenceParties,
  options: SequenceOptions = {},
): SequenceItem[] {
  const t0 = audit.length > 0 ? timeOf(audit[0]) : 0;
  const { client, engine } = parties;
  const items: SequenceItem[] = [];
  for (const line of audit) {
    const atMs = timeOf(line) - t0;
    const arrow = (from: string, to: string, label: string, style: ArrowStyle) =>
      items.push({ kind: 'arrow', from, to, label, style, atMs, observed: false });
    const note = (text: string) => items.push({ kind: 'note', over: engine, text, atMs });
    const step = line.step && parties.lifelines.includes(line.step) ? line.step : engine;
    const d = line.detail;
    switch (line.type) {
      case AuditType.SAGA_STARTED:
        arrow(client, engine, options.startLabel ?? 'start', 'forward');
        break;
      case AuditType.COMMAND_SENT:
        arrow(engine, step, detailText(d.command, 'command'), 'forward');
        break;
      case AuditType.COMPENSATION_SENT:
        arrow(engine, step, detailText(d.command, 'compensate'), 'compensation');
        break;
      case AuditType.COMPENSATION_REQUESTED:
        arrow(engine, step, detailText(d.event, 'compensate'), 'compensation');
        break;
      case AuditType.REPLY_RECEIVED: {
        const failed = d.outcome === 'failure';
        const style = d.phase === 'compensation' ? 'compensation' : failed ? 'failure' : 'reply';
        arrow(step, engine, `${detailText(d.reply, 'reply')} ${failed ? '✗' : '✓'}`, style);
        break;
      }
      case AuditType.EVENT_PUBLISHED:
      case AuditType.EVENT_RECEIVED: {
        const event = detailText(d.event ?? d.type, 'event');
        const from =
          line.type === AuditType.EVENT_PUBLISHED ? engine : (parties.publisherOf(event) ?? step);
        const to = parties.reactorOf(event);
        const observed = from !== engine && to !== engine;
        items.push({
          kind: 'arrow',
          from,
          to,
          label: event,
          style: parties.styleOf(event),
          atMs,
          observed,
        });
        break;
      }
      case AuditType.STEP_FAILED:
        note(`${line.step} failed`);
        break;
      case AuditType.STEP_TIMED_OUT:
        note(`${line.step} timed out`);
        break;
      case AuditType.OPERATOR_CANCELLED:
        note(`cancelled by ${detailText(d.operator, 'an operator')}`);
        break;
      case AuditType.OPERATOR_RETRIED_COMPENSATION:
        note(`compensation retried by ${detailText(d.operator, 'an operator')}`);
        break;
      case AuditType.SAGA_CONFIRMED:
      case AuditType.SAGA_CANCELLED:
      case AuditType.SAGA_COMPENSATION_FAILED:
        arrow(engine, client, line.type.replace('SAGA_', ''), 'result');
        break;
    }
  }
  return items;
}
