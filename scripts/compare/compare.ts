import { assertAppsHealthy } from '../support/app-health';
import { MachineInfo, machineInfo } from '../support/machine-info';
import { maskPasswords } from '../support/trip-endpoints';
import { BookingClient } from '../support/booking-client';
import { BookingMode, CompareOptions } from './compare.options';
import { settledDatabaseWrites, writesBetween } from './database-writes';
import { extraFlows, FlowSample } from './flow-samples';
import { ModeMeasurements } from './measurements';
import { ModeUnavailableError } from '../support/mode-unavailable.error';
import { observeMode } from './mode-observations';
import { BookingRecord, ModeRun, runMode, RunModeOptions } from './runner';
import { buildWorkload, PlannedBooking } from './workload';

export type { FlowSample } from './flow-samples';
export type { MachineInfo } from '../support/machine-info';

export interface ModeResult {
  mode: BookingMode;
  /** False when the orchestrator does not serve the mode (501); nothing else is then set. */
  available: boolean;
  unavailableReason?: string;
  measurements?: ModeMeasurements;
  records: BookingRecord[];
  flows: FlowSample[];
}

export interface ComparisonResult {
  startedAt: string;
  finishedAt: string;
  /** As run, with any database password masked. */
  options: CompareOptions;
  machine: MachineInfo;
  workload: PlannedBooking[];
  modes: ModeResult[];
}

/** What a caller may watch while the comparison runs (the CLI draws a progress bar from it). */
export interface CompareHooks {
  onModeStart?: (mode: BookingMode, total: number) => void;
  onBookingSettled?: (mode: BookingMode, record: BookingRecord, done: number) => void;
  onModeEnd?: (mode: BookingMode) => void;
  onPhase?: (message: string) => void;
}

/**
 * Runs one seeded workload in each mode, one mode after the other, against the running apps,
 * and measures each: outcomes, latencies, throughput, messages and database writes per
 * booking, time to compensate, and the contract's invariants on the participants' databases.
 */
export async function runComparison(
  options: CompareOptions,
  hooks: CompareHooks = {},
): Promise<ComparisonResult> {
  const startedAt = new Date().toISOString();
  const { endpoints } = options;
  await assertAppsHealthy(endpoints);
  const client = new BookingClient(endpoints.orchestratorUrl);
  const workload = buildWorkload(options.bookings, options.failureRate, options.seed);
  const runOptions: RunModeOptions = {
    concurrency: options.concurrency,
    pollIntervalMs: options.pollIntervalMs,
    bookingTimeoutMs: options.bookingTimeoutMs,
  };

  hooks.onPhase?.('waiting for the database statistics to settle');
  let before = await settledDatabaseWrites(endpoints.databases, options.statsSettleMs);
  const modes: ModeResult[] = [];
  for (const mode of options.modes) {
    hooks.onModeStart?.(mode, workload.length);
    let run: ModeRun;
    try {
      run = await runMode(client, mode, workload, {
        ...runOptions,
        onSettled: (record, done) => hooks.onBookingSettled?.(mode, record, done),
      });
    } catch (error) {
      if (!(error instanceof ModeUnavailableError)) throw error;
      hooks.onModeEnd?.(mode);
      modes.push({
        mode,
        available: false,
        unavailableReason: error.message,
        records: [],
        flows: [],
      });
      continue;
    }
    hooks.onModeEnd?.(mode);
    hooks.onPhase?.(`${mode}: waiting for the database statistics to settle`);
    const after = await settledDatabaseWrites(endpoints.databases, options.statsSettleMs);
    const writes = writesBetween(before, after);
    before = after;

    hooks.onPhase?.(`${mode}: reading outboxes, audit logs and participants' state`);
    const observed = await observeMode(client, endpoints.databases, run, writes);
    modes.push({ mode, available: true, ...observed, records: run.records });
  }
  // Only now, so that these extra bookings count in no mode's figures.
  for (const result of modes.filter((m) => m.available && m.flows.length < 2)) {
    hooks.onPhase?.(`${result.mode}: booking what the workload lacks to draw both flows`);
    result.flows.push(...(await extraFlows(client, result.mode, result.flows, runOptions)));
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { ...options, endpoints: maskPasswords(options.endpoints) },
    machine: machineInfo(),
    workload,
    modes,
  };
}
