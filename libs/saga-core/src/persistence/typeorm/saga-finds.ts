import type { Pool } from 'pg';
import { SagaInstance } from '../../model/saga-instance';
import { GatheredCalls } from './gathered-calls';
import { SagaRow, toInstance } from './saga-row.mapper';
import { FIND_SAGA, FIND_SAGAS } from './saga-statements';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `find(sagaId)` of the store: the reads that meet are one statement (`GatheredCalls`). An id
 * that is no UUID in its usual form is read on its own, so that whatever its statement does
 * (PostgreSQL refuses most such ids) stays its own and no one else's.
 */
export function sagaFinds(pool: () => Pool): (sagaId: string) => Promise<SagaInstance | null> {
  const one = async (sagaId: string): Promise<SagaInstance | null> => {
    const { rows } = await pool().query<SagaRow>({ ...FIND_SAGA, values: [sagaId] });
    return rows.length === 0 ? null : toInstance(rows[0]);
  };
  const gathered = new GatheredCalls<string, SagaInstance | null>(one, async (ids) => {
    const values = [[...new Set(ids)]];
    const { rows } = await pool().query<SagaRow>({ ...FIND_SAGAS, values });
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = found.get(id);
      return row ? toInstance(row) : null;
    });
  });
  // PostgreSQL answers a UUID in lower case: the key is asked in the same case.
  return (sagaId) => (UUID.test(sagaId) ? gathered.make(sagaId.toLowerCase()) : one(sagaId));
}
