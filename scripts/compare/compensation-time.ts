import { AuditLine } from '../support/booking-client';

const FAILURE_TYPES = new Set(['STEP_FAILED', 'STEP_TIMED_OUT']);
const END_TYPES = new Set(['SAGA_CANCELLED', 'SAGA_COMPENSATION_FAILED']);

/**
 * How long a saga took to undo itself: from its first failed or timed-out step to the line
 * that ended it, in either mode. Null when the log holds no such pair (it did not fail).
 */
export function compensationMs(audit: readonly AuditLine[]): number | null {
  const failedAt = audit.findIndex((line) => FAILURE_TYPES.has(line.type));
  if (failedAt < 0) return null;
  const end = audit.slice(failedAt).find((line) => END_TYPES.has(line.type));
  if (!end) return null;
  return Date.parse(end.at) - Date.parse(audit[failedAt].at);
}
