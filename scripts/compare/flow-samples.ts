import { AuditLine, BookingClient } from '../support/booking-client';
import { BookingMode } from './compare.options';
import { BookingRecord, runMode, RunModeOptions } from './runner';
import { SMALLEST } from '@app/trip-api';
import { sampleBooking } from '../support/booking-request';
import { faultsOf, LAST_STEP_FAILS, PlannedBooking, Scenario } from './workload';

/** A real audit log, kept to draw the flow of one booking. */
export interface FlowSample {
  kind: 'happy' | 'compensated';
  bookingId: string;
  scenario: string;
  status: string;
  audit: AuditLine[];
  /** The booking's steps, as `GET /bookings/:id` shows them. */
  steps: string[];
  /** Booked after every mode was measured, only to draw it: the workload had none. */
  extra: boolean;
}

const WANTED: { kind: FlowSample['kind']; scenario: Scenario; status: string }[] = [
  { kind: 'happy', scenario: 'happy', status: 'CONFIRMED' },
  { kind: 'compensated', scenario: LAST_STEP_FAILS, status: 'CANCELLED' },
];

/** A confirmed booking and a refused last step, undone, from the measured run where it has them. */
export async function flowsFromRun(
  client: BookingClient,
  records: readonly BookingRecord[],
  audits: ReadonlyMap<string, AuditLine[]>,
): Promise<FlowSample[]> {
  const samples: FlowSample[] = [];
  for (const { kind, scenario, status } of WANTED) {
    const record = records.find((r) => r.scenario === scenario && r.status === status);
    if (!record?.bookingId) continue;
    const audit = audits.get(record.bookingId) ?? (await client.audit(record.bookingId));
    const steps = (await client.get(record.bookingId))?.steps ?? [];
    samples.push({
      kind,
      bookingId: record.bookingId,
      scenario,
      status,
      audit,
      steps,
      extra: false,
    });
  }
  return samples;
}

/**
 * Books what `have` lacks, one booking per missing kind, so the page can always draw both
 * flows. Run once every mode is measured, so the extra bookings count in no figure.
 */
export async function extraFlows(
  client: BookingClient,
  mode: BookingMode,
  have: readonly FlowSample[],
  options: RunModeOptions,
): Promise<FlowSample[]> {
  const samples: FlowSample[] = [];
  for (const { kind, scenario } of WANTED) {
    if (have.some((f) => f.kind === kind)) continue;
    const planned: PlannedBooking = {
      index: 0,
      scenario,
      request: { ...sampleBooking('cust-1', SMALLEST), faults: faultsOf(scenario) },
    };
    const [record] = (await runMode(client, mode, [planned], { ...options, onSettled: undefined }))
      .records;
    if (!record.bookingId) continue;
    const audit = await client.audit(record.bookingId);
    const steps = (await client.get(record.bookingId))?.steps ?? [];
    samples.push({
      kind,
      bookingId: record.bookingId,
      scenario,
      status: record.status,
      audit,
      steps,
      extra: true,
    });
  }
  return samples;
}
