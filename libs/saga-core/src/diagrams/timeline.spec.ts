import { AuditRecord } from './audit-record';
import { renderTimelineSvg } from './timeline-svg';
import { timelineFromAudit } from './timeline';

const line = (ms: number, type: string, step: string | null, detail = {}): AuditRecord => ({
  at: new Date(Date.UTC(2026, 0, 1) + ms),
  type,
  step,
  detail,
});
const steps = ['flight', 'hotel', 'payment'];
const bars = (audit: AuditRecord[], now?: number) =>
  timelineFromAudit(audit, steps, now).bars.map(
    (b) =>
      `${b.phase} ${b.step} ${b.startMs}-${b.endMs} ${b.outcome ?? 'running'}` +
      (b.retriesMs.length ? ` retries@${b.retriesMs.join(',')}` : ''),
  );

describe('a saga audit log as a timeline', () => {
  it('draws each step sent and answered, a retry as a tick, and the undo in reverse order', () => {
    const audit = [
      line(0, 'SAGA_STARTED', null),
      line(0, 'COMMAND_SENT', 'flight'),
      line(40, 'STEP_COMPLETED', 'flight'),
      line(40, 'COMMAND_SENT', 'hotel'),
      line(60, 'STEP_RETRY_SCHEDULED', 'hotel'),
      line(260, 'COMMAND_SENT', 'hotel', { attempt: 2 }),
      line(300, 'STEP_COMPLETED', 'hotel'),
      line(300, 'COMMAND_SENT', 'payment'),
      line(350, 'STEP_FAILED', 'payment'),
      line(350, 'COMPENSATION_STARTED', null),
      line(350, 'COMPENSATION_SENT', 'hotel'),
      line(380, 'STEP_COMPENSATED', 'hotel'),
      line(380, 'COMPENSATION_SENT', 'flight'),
      line(420, 'STEP_COMPENSATED', 'flight'),
      line(420, 'SAGA_CANCELLED', null),
    ];
    expect(bars(audit)).toEqual([
      'forward flight 0-40 completed',
      'forward hotel 40-300 completed retries@260',
      'forward payment 300-350 failed',
      'compensation flight 380-420 compensated',
      'compensation hotel 350-380 compensated',
    ]);
    const svg = renderTimelineSvg(timelineFromAudit(audit, steps), steps);
    expect(svg).toContain('data-step="hotel" data-phase="compensation" data-start-ms="350"');
    expect(svg.match(/class="retry"/g)).toHaveLength(1);
  });

  it('starts a choreographed step when the one before it ended, and its undo likewise', () => {
    const audit = [
      line(0, 'SAGA_STARTED', null),
      line(0, 'EVENT_PUBLISHED', null),
      line(30, 'EVENT_RECEIVED', 'flight'),
      line(30, 'STEP_COMPLETED', 'flight'),
      line(5030, 'STEP_TIMED_OUT', 'hotel'),
      line(5030, 'COMPENSATION_STARTED', null),
      line(5060, 'STEP_COMPENSATED', 'hotel'),
      line(5100, 'STEP_COMPENSATED', 'flight'),
    ];
    expect(bars(audit)).toEqual([
      'forward flight 0-30 completed',
      'forward hotel 30-5030 timed-out',
      'compensation flight 5060-5100 compensated',
      'compensation hotel 5030-5060 compensated',
    ]);
  });

  it('reopens a failed undo that an operator retries, and runs an open bar until now', () => {
    const audit = [
      line(0, 'COMMAND_SENT', 'flight'),
      line(10, 'STEP_FAILED', 'flight'),
      line(10, 'COMPENSATION_SENT', 'flight'),
      line(20, 'COMPENSATION_SENT', 'flight'),
      line(30, 'STEP_COMPENSATION_FAILED', 'flight'),
      line(1000, 'OPERATOR_RETRIED_COMPENSATION', null),
      line(1000, 'COMPENSATION_SENT', 'flight'),
    ];
    const now = Date.UTC(2026, 0, 1) + 1500;
    expect(bars(audit, now)).toEqual([
      'forward flight 0-10 failed',
      'compensation flight 10-1500 running retries@20,1000',
    ]);
  });
});
