import { tripParticipantProfiles } from '@app/trip-api';
import { OrchestratorConfig } from '../config/orchestrator.config';

/** Where Prometheus finds the targets the orchestrator knows of (`http_sd_configs`). */
export const METRICS_TARGETS_PATH = '/metrics/targets';

/** The injection token of the orchestrator's `participantTargets`. */
export const METRICS_TARGETS = Symbol('METRICS_TARGETS');

/** One group of Prometheus' HTTP service discovery: its targets and the labels they get. */
export interface PrometheusTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * Every participant's app, where the orchestrator reaches it (`FLIGHT_URL`, …), one group
 * each: its `host:port`, and its scheme and metrics path when the URL says otherwise than
 * plain `http://host:port`.
 */
export function participantTargets(config: OrchestratorConfig): PrometheusTargetGroup[] {
  return tripParticipantProfiles().map(({ name, app }) => {
    const url = new URL(config.participantUrl(name));
    const labels: Record<string, string> = { participant: name, app };
    if (url.protocol !== 'http:') labels.__scheme__ = url.protocol.slice(0, -1);
    const base = url.pathname.replace(/\/+$/, '');
    if (base) labels.__metrics_path__ = `${base}/metrics`;
    return { targets: [url.host], labels };
  });
}
