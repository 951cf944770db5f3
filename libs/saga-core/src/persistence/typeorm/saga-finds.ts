import type { Pool } from 'pg';
import { SagaInstance } from '../../model/saga-instance';
import { BatchedReads } from './batched-reads';
import { SagaRow, toInstance } from './saga-row.mapper';
import { FIND_SAGA, FIND_SAGAS } from './saga-statements';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `find(sagaId)` of the store: the reads that meet are one statement (`BatchedReads`). An id
 * that is no UUID in its usual form is read on its own, so that whatever its statement does
 * (PostgreSQL refuses most such ids) stays its own and no one else's.
 */
export function sagaFinds(pool: () => Pool): (sagaId: string) => Promise<SagaInstance | null> {
  const one = async (sagaId: string): Promise<SagaInstance | null> => {
    const { rows } = await pool().query<SagaRow>({ ...FIND_SAGA, values: [sagaId] });
    return rows.length === 0 ? null : toInstance(rows[0]);
  };
  const batched = new BatchedReads<string, SagaInstance>(one, async (ids) => {
    const { rows } = await pool().query<SagaRow>({ ...FIND_SAGAS, values: [ids] });
    return new Map(rows.map((row) => [row.id, toInstance(row)]));
  });
  // PostgreSQL answers a UUID in lower case: the key is asked in the same case.
  return (sagaId) => (UUID.test(sagaId) ? batched.get(sagaId.toLowerCase()) : one(sagaId));
}
