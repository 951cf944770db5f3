import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { registerTracing, TracingHandle } from '@app/saga-core';
import { TRIP_PARTICIPANT_PROFILES, TripParticipant } from '@app/trip-api';
import { AuditLine, PARTICIPANTS, TripSystem } from '../support/trip-system';
import { eventually } from '../support/wait-for';

type Mode = 'orchestrated' | 'choreographed';

const booking = (mode: Mode, faults: Record<string, string>) => ({
  mode,
  customerId: 'cust-1',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
  faults,
});

/** The ids of every message the audit log says was sent or received. */
function messageIds(audit: AuditLine[]): string[] {
  const ids = audit
    .filter((line) =>
      [
        'COMMAND_SENT',
        'COMPENSATION_SENT',
        'REPLY_RECEIVED',
        'EVENT_PUBLISHED',
        'EVENT_RECEIVED',
      ].includes(line.type),
    )
    .map((line) => line.detail.messageId);
  return ids.filter((id): id is string => typeof id === 'string');
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/**
 * One booking is one trace, from `POST /bookings` through every command, reply and event and
 * back, timers included: the four apps run in this process and share one tracer provider,
 * whose spans an in-memory exporter keeps.
 */
describe.each<Mode>(['orchestrated', 'choreographed'])('tracing a %s booking', (mode) => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle;
  let system: TripSystem;

  beforeAll(async () => {
    tracing = registerTracing({
      serviceName: 'trip-system',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: '1000' } });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    await tracing?.shutdown();
  });

  /** The spans of the trace the booking's `POST /bookings` started, once `ids` are all in it. */
  async function traceOf(bookingId: string, ids: string[]): Promise<ReadableSpan[]> {
    let spans: ReadableSpan[] = [];
    await eventually(() => {
      const all = exporter.getFinishedSpans();
      const start = all.find(
        (s) => s.name.startsWith('saga start') && s.attributes['saga.id'] === bookingId,
      );
      expect(start).toBeDefined();
      spans = all.filter((s) => s.spanContext().traceId === start?.spanContext().traceId);
      const processed = new Set(spans.map((s) => s.attributes['messaging.message.id']));
      expect(ids.filter((id) => !processed.has(id))).toEqual([]);
    });
    return spans;
  }

  it('links the request, every message handled and the compensations into one trace', async () => {
    const bookingId = await system.book(booking(mode, { payment: 'fail' }));
    const settled = await system.settled(bookingId);
    expect(settled.status).toBe('CANCELLED');
    const audit = await system.audit(bookingId);
    const ids = messageIds(audit);
    expect(ids.length).toBeGreaterThanOrEqual(mode === 'orchestrated' ? 10 : 6);
    const spans = await traceOf(bookingId, ids);

    // One root, the request; every other span hangs from a span of the same trace.
    const roots = spans.filter((s) => !parentOf(s));
    expect(roots.map((s) => [s.name, s.kind])).toEqual([['POST /bookings', SpanKind.SERVER]]);
    const known = new Set(spans.map((s) => s.spanContext().spanId));
    expect(spans.filter((s) => parentOf(s) && !known.has(parentOf(s) as string))).toEqual([]);

    // Every service handled a part of it, and every span about a saga names this one.
    const services = new Set(spans.map((s) => s.attributes['saga.service']));
    // Orchestrated, the services of the booking's steps; choreographed, every participant's, as
    // one a booking does not ask for (an optional step) takes the events around it all the same.
    const handled = mode === 'orchestrated' ? settled.steps.map((s) => s.name) : PARTICIPANTS;
    const apps = handled.map((name) => TRIP_PARTICIPANT_PROFILES[name as TripParticipant].app);
    expect([...services].sort()).toEqual(['orchestrator', ...apps].sort());
    const consumers = spans.filter((s) => s.kind === SpanKind.CONSUMER);
    expect(consumers.every((s) => s.attributes['saga.id'] === bookingId)).toBe(true);
    // No span of this booking went into another trace.
    const elsewhere = exporter
      .getFinishedSpans()
      .filter((s) => s.attributes['saga.id'] === bookingId && !spans.includes(s));
    expect(elsewhere).toEqual([]);
  });

  it('continues the trace when a timer fires: the timeout and the undo it causes', async () => {
    const bookingId = await system.book(booking(mode, { hotel: 'timeout' }));
    expect((await system.settled(bookingId)).status).toBe('CANCELLED');
    const audit = await system.audit(bookingId);
    expect(audit.map((line) => line.type)).toContain('STEP_TIMED_OUT');
    const spans = await traceOf(bookingId, messageIds(audit));
    const timers = spans.filter((s) => s.name === 'saga timer');
    expect(timers.length).toBeGreaterThanOrEqual(1);
    expect(timers.every((s) => s.attributes['saga.id'] === bookingId)).toBe(true);
    // What the timer sent (the hotel's undo) was handled in the same trace, below the timer.
    const timerIds = new Set(timers.map((s) => s.spanContext().spanId));
    const children = spans.filter((s) => timerIds.has(parentOf(s) ?? ''));
    expect(children.length).toBeGreaterThanOrEqual(1);
  });
});
