import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ComparisonResult, runComparison } from '../../scripts/compare/compare';
import { BookingMode, defaultCompareOptions } from '../../scripts/compare/compare.options';
import { WrittenReport, writeReports } from '../../scripts/compare/report';
import { assertTripInvariants } from '../support/trip-invariants';
import { TripSystem } from '../support/trip-system';

const MODES: BookingMode[] = ['orchestrated', 'choreographed'];
const BOOKINGS = 12;

/** `npm run compare`, run programmatically against the four apps booted in this process. */
describe('the orchestrated vs choreographed comparison', () => {
  let system: TripSystem;
  let reportDir: string;
  let result: ComparisonResult;
  let written: WrittenReport;

  beforeAll(async () => {
    system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: '1000' } });
    reportDir = await mkdtemp(path.join(os.tmpdir(), 'compare-'));
    result = await runComparison({
      ...defaultCompareOptions({}),
      bookings: BOOKINGS,
      concurrency: 4,
      failureRate: 0.5,
      seed: 7,
      modes: MODES,
      reportDir,
      endpoints: await system.endpoints(),
    });
    written = await writeReports(result, reportDir);
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  it.each(MODES)('%s: ends every booking, consistently, and counts what it cost', (mode) => {
    const run = result.modes.find((m) => m.mode === mode);
    if (!run?.measurements) throw new Error(`${mode} was not measured: ${run?.unavailableReason}`);
    const m = run.measurements;
    expect(m.bookings).toBe(BOOKINGS);
    expect(m.confirmed + m.cancelled + m.compensationFailed).toBe(BOOKINGS);
    expect(m.violations).toEqual([]);
    expect(m.messages.perBooking).toBeGreaterThan(0);
    expect(m.databaseWrites.perBooking).toBeGreaterThan(0);
    expect(m.throughput).toBeGreaterThan(0);
    expect(run.flows.map((f) => f.kind)).toContain('happy');
  });

  it('runs the same seeded workload in every mode', () => {
    for (const run of result.modes) {
      expect(run.records.map((r) => r.scenario)).toEqual(result.workload.map((b) => b.scenario));
    }
  });

  it('leaves the participants consistent, as the e2e tests check it', async () => {
    await assertTripInvariants(system);
  });

  it('writes a JSON report with the workload, the options and the machine', async () => {
    const json = JSON.parse(await readFile(written.jsonPath, 'utf8')) as ComparisonResult;
    expect(json.workload).toHaveLength(BOOKINGS);
    expect(json.options.seed).toBe(7);
    expect(json.machine.cpus).toBeGreaterThan(0);
    // The figures people read add up in the file itself, per mode.
    expect(json.modes.map((m) => m.mode)).toEqual(MODES);
    for (const run of json.modes) {
      const m = run.measurements;
      if (!m) throw new Error(`${run.mode} has no measurements in the report`);
      expect(m.confirmed + m.cancelled + m.compensationFailed).toBe(m.bookings);
      expect(m.bookings).toBe(BOOKINGS);
      expect(m.violations).toEqual([]);
    }
    expect(path.basename(written.jsonPath)).toMatch(/^compare-.+\.json$/);
  });

  it('writes a self-contained HTML page: inlined Chart.js and SVG sequence diagrams', async () => {
    const html = await readFile(written.htmlPath, 'utf8');
    expect(html).toContain('Chart.js v4');
    expect(html).toContain('new Chart(');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);
  });
});
