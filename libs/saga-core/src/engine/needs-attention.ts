import { SagaEngine } from './saga-engine';
import { SagaInstance } from './saga-instance';
import { SagaStatus } from './saga-status';

export interface AttentionQuery {
  /** A running saga unchanged this long is stuck. */
  stuckSeconds: number;
  limit: number;
}

/**
 * The sagas an operator must look at: those whose compensation failed, then those running
 * but unchanged for `stuckSeconds` (a participant that never answers, a timer that cannot fire).
 */
export async function needsAttention(
  engine: SagaEngine,
  query: AttentionQuery,
): Promise<SagaInstance[]> {
  const stuckSince = new Date(Date.now() - query.stuckSeconds * 1000);
  const [failed, stuck] = await Promise.all([
    engine.list({ status: SagaStatus.COMPENSATION_FAILED, limit: query.limit }),
    engine.list({ status: SagaStatus.PENDING, updatedBefore: stuckSince, limit: query.limit }),
  ]);
  return [...failed, ...stuck].slice(0, query.limit);
}
