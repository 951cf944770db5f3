import { ChoreographySpec } from '../definition/choreography-spec';
import { DEFAULT_COMPENSATION_RETRY } from '../definition/retry-policy';
import { SagaSpec } from '../definition/saga-spec';
import { AuditRecord } from './audit-record';
import { SequenceArrow, sequenceFromAudit } from './sequence-flow';
import { sequenceParties } from './sequence-parties';

const event = (type: string) => ({ exchange: 'trip.events', type: `trip.${type}` });
const choreography: ChoreographySpec = {
  style: 'choreography',
  name: 'trip',
  version: 1,
  start: event('booking.requested'),
  cancel: event('booking.cancellation-requested'),
  steps: (
    [
      ['flight', 'reserved', 'reservation-failed', 'cancelled', 'cancellation-failed'],
      ['hotel', 'reserved', 'reservation-failed', 'cancelled', 'cancellation-failed'],
      ['payment', 'charged', 'failed', 'refunded', 'refund-failed'],
    ] as const
  ).map(([name, succeeded, failed, compensated, compensationFailed]) => ({
    name,
    timeoutMs: 5000,
    succeeded: event(`${name}.${succeeded}`),
    failed: event(`${name}.${failed}`),
    compensated: event(`${name}.${compensated}`),
    compensationFailed: event(`${name}.${compensationFailed}`),
    compensationRequested: event(`${name}.undo-requested`),
    compensationRetry: DEFAULT_COMPENSATION_RETRY,
  })),
};
const orchestrated = {
  name: 'trip',
  version: 1,
  steps: [{ name: 'flight' }, { name: 'hotel' }, { name: 'payment' }],
} as SagaSpec;
const names = { engine: 'orchestrator' };

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const line = (ms: number, type: string, step: string | null, detail = {}): AuditRecord => ({
  at: at(ms),
  type,
  step,
  detail,
});
const arrows = (audit: AuditRecord[], spec: SagaSpec | ChoreographySpec = orchestrated) =>
  sequenceFromAudit(audit, sequenceParties(spec, names), { startLabel: 'POST /bookings' })
    .filter((i): i is SequenceArrow => i.kind === 'arrow')
    .map((a) => `${a.from}->${a.to} ${a.label} [${a.style}${a.observed ? ', observed' : ''}]`);

describe('a saga audit log as a sequence diagram', () => {
  it('draws an orchestrated refusal: commands out, replies back, then the undo in reverse', () => {
    const audit = [
      line(0, 'SAGA_STARTED', null),
      line(0, 'COMMAND_SENT', 'flight', { command: 'flight.reserve' }),
      line(50, 'REPLY_RECEIVED', 'flight', { reply: 'flight.reserve.reply', outcome: 'success' }),
      line(50, 'STEP_COMPLETED', 'flight'),
      line(50, 'COMMAND_SENT', 'payment', { command: 'payment.charge' }),
      line(90, 'REPLY_RECEIVED', 'payment', { reply: 'payment.charge.reply', outcome: 'failure' }),
      line(90, 'STEP_FAILED', 'payment', { reason: 'declined' }),
      line(90, 'COMPENSATION_SENT', 'flight', { command: 'flight.cancel' }),
      line(120, 'REPLY_RECEIVED', 'flight', {
        reply: 'flight.cancel.reply',
        outcome: 'success',
        phase: 'compensation',
      }),
      line(120, 'SAGA_CANCELLED', null),
    ];
    expect(arrows(audit)).toEqual([
      'client->orchestrator POST /bookings [forward]',
      'orchestrator->flight flight.reserve [forward]',
      'flight->orchestrator flight.reserve.reply ✓ [reply]',
      'orchestrator->payment payment.charge [forward]',
      'payment->orchestrator payment.charge.reply ✗ [failure]',
      'orchestrator->flight flight.cancel [compensation]',
      'flight->orchestrator flight.cancel.reply ✓ [compensation]',
      'orchestrator->client CANCELLED [result]',
    ]);
    expect(sequenceFromAudit(audit, sequenceParties(orchestrated, names))).toContainEqual({
      kind: 'note',
      over: 'orchestrator',
      text: 'payment failed',
      atMs: 90,
    });
  });

  it('draws a choreographed refusal from the publisher of each event to the service that reacts', () => {
    const event = (ms: number, step: string, type: string, source: string) =>
      line(ms, 'EVENT_RECEIVED', step, { event: type, source, messageId: `m-${ms}` });
    const audit = [
      line(0, 'SAGA_STARTED', null),
      line(0, 'EVENT_PUBLISHED', null, { event: 'trip.booking.requested' }),
      event(40, 'flight', 'trip.flight.reserved', 'flight-service'),
      event(70, 'hotel', 'trip.hotel.reserved', 'hotel-service'),
      event(95, 'payment', 'trip.payment.failed', 'payment-service'),
      line(95, 'STEP_FAILED', 'payment', { reason: 'declined' }),
      event(120, 'hotel', 'trip.hotel.cancelled', 'hotel-service'),
      event(140, 'flight', 'trip.flight.cancelled', 'flight-service'),
      line(140, 'SAGA_CANCELLED', null),
    ];
    expect(arrows(audit, choreography)).toEqual([
      'client->orchestrator POST /bookings [forward]',
      'orchestrator->flight trip.booking.requested [forward]',
      'flight->hotel trip.flight.reserved [forward, observed]',
      'hotel->payment trip.hotel.reserved [forward, observed]',
      'payment->hotel trip.payment.failed [failure, observed]',
      'hotel->flight trip.hotel.cancelled [compensation, observed]',
      'flight->orchestrator trip.flight.cancelled [compensation]',
      'orchestrator->client CANCELLED [result]',
    ]);
  });

  it('sends a stalled choreography back from payment when the orchestrator asks to cancel', () => {
    const audit = [
      line(0, 'SAGA_STARTED', null),
      line(5000, 'STEP_TIMED_OUT', 'payment', { timeoutMs: 5000 }),
      line(5000, 'EVENT_PUBLISHED', 'payment', { event: 'trip.booking.cancellation-requested' }),
      line(5010, 'EVENT_RECEIVED', 'payment', {
        event: 'trip.payment.refunded',
        source: 'payment-service',
      }),
    ];
    expect(arrows(audit, choreography).slice(1)).toEqual([
      'orchestrator->payment trip.booking.cancellation-requested [compensation]',
      'payment->hotel trip.payment.refunded [compensation, observed]',
    ]);
    expect(sequenceFromAudit(audit, sequenceParties(choreography, names))[1]).toMatchObject({
      kind: 'note',
      text: 'payment timed out',
    });
  });
});
