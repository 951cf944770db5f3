import { AuditLine } from '../support/booking-client';
import { compensationMs } from './compensation-time';
import { percentile, summarize } from '../support/latency-stats';

const line = (iso: string, type: string): AuditLine => ({ at: iso, type, step: null, detail: {} });

describe('time to compensate', () => {
  it('runs from the first failed or timed-out step to the line that ends the saga', () => {
    const audit = [
      line('2026-01-01T00:00:00.000Z', 'SAGA_STARTED'),
      line('2026-01-01T00:00:05.000Z', 'STEP_TIMED_OUT'),
      line('2026-01-01T00:00:05.040Z', 'STEP_COMPENSATED'),
      line('2026-01-01T00:00:05.120Z', 'SAGA_CANCELLED'),
    ];
    expect(compensationMs(audit)).toBe(120);
  });

  it('is null for a saga that never failed', () => {
    const audit = [
      line('2026-01-01T00:00:00.000Z', 'SAGA_STARTED'),
      line('2026-01-01T00:00:00.100Z', 'SAGA_CONFIRMED'),
    ];
    expect(compensationMs(audit)).toBeNull();
  });
});

describe('latency statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('summarizes unsorted samples', () => {
    expect(summarize([30, 10, 20])).toEqual({
      count: 3,
      p50: 20,
      p95: 30,
      p99: 30,
      mean: 20,
      max: 30,
    });
    expect(summarize([]).p50).toBeNull();
  });
});
