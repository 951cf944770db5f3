import { mulberry32 } from '../compare/workload';

export const DISRUPTIONS = ['kill', 'broker-outage', 'database-outage', 'freeze'] as const;
export type DisruptionKind = (typeof DISRUPTIONS)[number];

/** One disruption, due once `afterBookings` bookings have been sent. */
export interface PlannedDisruption {
  kind: DisruptionKind;
  afterBookings: number;
  /** For a kill or a freeze: the app process (index into the run's processes). */
  target: number;
  /** For a kill: how long the app stays dead. */
  downMs: number;
}

export interface DisruptionCounts {
  kills: number;
  brokerOutages: number;
  databaseOutages: number;
  /** Processes frozen with SIGSTOP inside a transaction (see `process-freezer.ts`). */
  freezes?: number;
}

/**
 * Spreads the disruptions over the run at seeded moments between the first 5 % and the last
 * 10 % of the bookings, in order of their moment.
 */
export function planDisruptions(
  bookings: number,
  counts: DisruptionCounts,
  processes: number,
  seed: number,
): PlannedDisruption[] {
  const random = mulberry32(seed ^ 0x5eed);
  const from = Math.floor(bookings * 0.05);
  const to = Math.max(from, Math.floor(bookings * 0.9));
  const plan = (kind: DisruptionKind, n: number): PlannedDisruption[] =>
    Array.from({ length: n }, () => ({
      kind,
      afterBookings: from + Math.floor(random() * (to - from + 1)),
      target: Math.floor(random() * processes),
      downMs: 500 + Math.floor(random() * 2_500),
    }));
  return [
    ...plan('kill', counts.kills),
    ...plan('broker-outage', counts.brokerOutages),
    ...plan('database-outage', counts.databaseOutages),
    // Drawn last, so the other disruptions of a seed stay where they were.
    ...plan('freeze', counts.freezes ?? 0),
  ].sort((a, b) => a.afterBookings - b.afterBookings);
}
