export const GAUGE_STORE = Symbol('GAUGE_STORE');

/** The outbox and inbox of any service, as its gauges show them. */
export interface MessagingGauges {
  outboxBacklog: number;
  /** 0 when nothing is waiting. */
  outboxOldestAgeSeconds: number;
  inboxRows: number;
}

/** The engine's tables (an orchestrator's only), as its gauges show them. */
export interface EngineGauges {
  timersScheduled: number;
  timersDue: number;
  /** Running and operator-bound sagas, by definition and status. */
  instances: { definition: string; status: string; count: number }[];
}

/** Cheap reads for `/metrics`, each a single statement on small tables or on index. */
export interface GaugeStore {
  messaging(): Promise<MessagingGauges>;
  engine(): Promise<EngineGauges>;
}
