import { SagaFilter, SagaQuery } from '../saga-store.port';

/** A WHERE clause over `saga_instances i` and its parameters, numbered from $1. */
export interface SqlWhere {
  where: string;
  params: unknown[];
}

/**
 * The conditions of a filter, each on a column an index covers where one exists: status and
 * created_at (`saga_instances_status_created_at`), labels (GIN). The data containment has no
 * index of its own: it runs on the rows the other conditions and the limit leave.
 */
export function sagaWhere(filter: SagaFilter & Pick<SagaQuery, 'after'>): SqlWhere {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (condition: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.id) add((p) => `i.id = ${p}::uuid`, filter.id);
  if (filter.status) add((p) => `i.status = ${p}`, filter.status);
  if (filter.definitionName) add((p) => `i.definition_name = ${p}`, filter.definitionName);
  if (filter.labels && Object.keys(filter.labels).length > 0) {
    add((p) => `i.labels @> ${p}::jsonb`, JSON.stringify(filter.labels));
  }
  if (filter.dataContains && Object.keys(filter.dataContains).length > 0) {
    add((p) => `i.data @> ${p}::jsonb`, JSON.stringify(filter.dataContains));
  }
  if (filter.createdFrom) add((p) => `i.created_at >= ${p}`, filter.createdFrom);
  if (filter.createdBefore) add((p) => `i.created_at < ${p}`, filter.createdBefore);
  if (filter.updatedBefore) add((p) => `i.updated_at < ${p}`, filter.updatedBefore);
  if (filter.timerParked) {
    where.push(
      `EXISTS (SELECT 1 FROM saga_timers t WHERE t.saga_id = i.id AND t.parked_at IS NOT NULL)`,
    );
  }
  if (filter.after) {
    params.push(filter.after.createdAt, filter.after.id);
    const [at, id] = [params.length - 1, params.length];
    where.push(`(i.created_at, i.id) < ($${at}::timestamptz, $${id}::uuid)`);
  }
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}
