export const SAGA_DASHBOARD_OPTIONS = Symbol('SAGA_DASHBOARD_OPTIONS');

/** A label the Runs page filters by (set when a saga starts, e.g. `mode`). */
export interface DashboardLabel {
  key: string;
  title: string;
  /** The values to offer; without them the filter is free text. */
  values?: readonly string[];
}

/**
 * A field of the sagas' data the Runs page searches by, matched by JSON containment: the
 * value given must equal the data's value at `path` (dotted, e.g. `customer.id`).
 */
export interface DashboardDataField {
  /** The query parameter's suffix (`data.<name>`), e.g. `customer`. */
  name: string;
  title: string;
  path: string;
}

/** Another app of the system, shown on the System page: its `/health` and `/faults`. */
export interface DashboardService {
  name: string;
  /** Base URL, e.g. `http://localhost:3001`. */
  url: string;
  /** Work queues of that app whose dead letters the System page shows. */
  queues?: readonly string[];
}

export interface SagaDashboardOptions {
  /** Where the dashboard is mounted; default `dashboard`. */
  path?: string;
  /** The page's title; default `Sagas`. */
  title?: string;
  labels?: readonly DashboardLabel[];
  dataFields?: readonly DashboardDataField[];
  services?: readonly DashboardService[];
  /** A running saga unchanged this long needs attention; default 60 s. */
  stuckSeconds?: number;
}
