/** How often, and how far apart, a step or compensation is tried. */
export interface RetryPolicy {
  /** Total tries including the first; 1 means no retry. */
  maxAttempts: number;
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
  /** Full jitter: the delay is drawn in [delay/2, delay] so retries of many sagas spread out. */
  jitter: boolean;
}

export const NO_RETRY: RetryPolicy = {
  maxAttempts: 1,
  initialDelayMs: 0,
  multiplier: 1,
  maxDelayMs: 0,
  jitter: false,
};

/** Compensations must eventually succeed, so they are retried by default. */
export const DEFAULT_COMPENSATION_RETRY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 200,
  multiplier: 2,
  maxDelayMs: 5_000,
  jitter: true,
};

/** The delay before try number `attempt + 1`, given that try `attempt` (1-based) just failed. */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const raw = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * Math.pow(policy.multiplier, attempt - 1),
  );
  return policy.jitter ? Math.round(raw / 2 + (random() * raw) / 2) : Math.round(raw);
}
