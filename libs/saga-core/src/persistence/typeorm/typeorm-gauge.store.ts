import { DataSource } from 'typeorm';
import { EngineGauges, GaugeStore, MessagingGauges } from '../../health/gauge-store.port';
import { SagaStatus } from '../../model/saga-status';

/**
 * The gauges' statements. The backlog counts on the partial index of unsent rows and its age
 * comes from the oldest of them; the inbox, which holds a day of ids, is not counted but
 * taken from PostgreSQL's table statistics; only running and operator-bound sagas are counted,
 * on the status index, never the finished ones.
 */
export class TypeOrmGaugeStore implements GaugeStore {
  constructor(private readonly dataSource: DataSource) {}

  async messaging(): Promise<MessagingGauges> {
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT count(*) FROM saga_outbox WHERE sent_at IS NULL)::int AS backlog,
              coalesce(extract(epoch FROM now() - (
                SELECT created_at FROM saga_outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1)),
                0)::float8 AS oldest,
              coalesce((SELECT n_live_tup FROM pg_stat_user_tables
                         WHERE relid = 'saga_inbox'::regclass), 0)::float8 AS inbox`,
    )) as { backlog: number; oldest: number; inbox: number }[];
    return {
      outboxBacklog: row.backlog,
      outboxOldestAgeSeconds: Math.max(0, row.oldest),
      inboxRows: row.inbox,
    };
  }

  async engine(): Promise<EngineGauges> {
    const [timers] = (await this.dataSource.query(
      `SELECT count(*)::int AS scheduled, count(*) FILTER (WHERE fire_at <= now())::int AS due
         FROM saga_timers`,
    )) as { scheduled: number; due: number }[];
    const instances = (await this.dataSource.query(
      `SELECT definition_name AS definition, status, count(*)::int AS count
         FROM saga_instances WHERE status = ANY($1::text[]) GROUP BY 1, 2`,
      [[SagaStatus.PENDING, SagaStatus.COMPENSATION_FAILED]],
    )) as EngineGauges['instances'];
    return { timersScheduled: timers.scheduled, timersDue: timers.due, instances };
  }
}
