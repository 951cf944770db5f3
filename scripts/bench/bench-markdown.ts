import { TRIP_PARTICIPANTS } from '@app/trip-api';
import { APPS } from './resource-counters';
import { BenchResult } from './bench';
import { SoakResult } from './soak';

export const TABLE_START = '<!-- bench:results:start -->';
export const TABLE_END = '<!-- bench:results:end -->';

const fixed = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? '–' : value.toFixed(digits);

/** The summary of a grid run: the machine, its limits and one line per configuration. */
export function benchMarkdown(result: BenchResult, reportPath: string): string {
  const { machine, limits, options } = result;
  const lines = [
    `Run of ${result.startedAt} (\`${reportPath}\`): ${options.warmupS} s warm-up, ` +
      `${options.durationS} s measured, median of ${options.repeat}.`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, ` +
      `${machine.platform}, Node.js ${machine.node}.`,
  ];
  const transports = result.databaseTransports;
  if (transports) {
    const each = Object.entries(transports).map(([app, t]) => `${app} ${t ?? '–'}`);
    lines.push(`The apps reach PostgreSQL through: ${each.join(', ')}.`);
  }
  if (limits) {
    const pg = limits.pgbench
      ? `${fixed(limits.pgbench.tps, 0)} tps (pgbench -N, 16 clients)`
      : '–';
    const mq = limits.amqp
      ? `${fixed(limits.amqp.confirmedPerSecond, 0)} confirmed msgs/s on a quorum queue, ` +
        `request→reply p50 ${fixed(limits.amqp.roundTripP50Ms, 2)} ms`
      : '–';
    lines.push(`Limits measured in the same run: PostgreSQL ${pg}; RabbitMQ ${mq}.`);
  }
  lines.push(
    '',
    `| mode | failures | in flight | bookings/s | p50 ms | p95 ms | p99 ms | CPU ms/booking: orch · ${TRIP_PARTICIPANTS.join(' · ')} · pg · rabbit | commits/booking | row writes/booking | statements/booking | app write calls/booking | msgs/booking | peak RSS MB (max app) | of ceiling | p50 / floor |`,
    '| --- | --: | --: | --: | --: | --: | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  );
  for (const c of result.configurations) {
    const m = c.median;
    const cpu = m.cpuMsPerBooking;
    const rss = Object.values(m.peakRssMb).filter((v): v is number => v !== null);
    lines.push(
      `| ${c.mode} | ${fixed(c.failureRate * 100, 0)} % | ${c.concurrency} | ` +
        `${fixed(m.bookingsPerSecond)} | ${fixed(m.p50)} | ${fixed(m.p95)} | ${fixed(m.p99)} | ` +
        `${[...APPS.map((app) => cpu[app]), cpu.postgres, cpu.rabbitmq].map((v) => fixed(v, 2)).join(' · ')} | ` +
        `${fixed(m.commitsPerBooking)} | ${fixed(m.rowWritesPerBooking)} | ` +
        `${fixed(m.statementsPerBooking)} | ${fixed(m.writeCallsPerBooking)} | ` +
        `${fixed(m.messagesPerBooking)} | ` +
        `${rss.length > 0 ? fixed(Math.max(...rss), 0) : '–'} | ` +
        `${c.ratios.ofCeiling === null ? '–' : `${fixed(c.ratios.ofCeiling * 100, 0)} %`} | ` +
        `${fixed(c.ratios.p50OverFloor, 2)} |`,
    );
  }
  return lines.join('\n');
}

/** The summary of a soak: one line per series, with its trend over the second half. */
export function soakMarkdown(result: SoakResult, reportPath: string): string {
  const seconds = result.options.soakS ?? 0;
  const lines = [
    `Soak of ${result.startedAt} (\`${reportPath}\`): ${seconds} s at ` +
      `${result.options.soakConcurrency} in flight, ${result.bookings} bookings, ${result.errors} errors.`,
    '',
    '| series | first | last | max | slope /min (2nd half) | per booking |',
    '| --- | --: | --: | --: | --: | --: |',
    ...result.trends.map(
      (t) =>
        `| ${t.series} | ${fixed(t.first)} | ${fixed(t.last)} | ${fixed(t.max)} | ` +
        `${fixed(t.slopePerMinute, 2)} | ${fixed(t.perBooking, 3)} |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * `page` with the text between the markers replaced by `table`; the hand-written rest is
 * kept. Without the markers, a section with them is appended.
 */
export function replaceBetweenMarkers(page: string, table: string): string {
  const start = page.indexOf(TABLE_START);
  const end = page.indexOf(TABLE_END);
  const block = `${TABLE_START}\n${table}\n${TABLE_END}`;
  if (start === -1 || end === -1 || end < start) {
    return `${page.trimEnd()}\n\n## Latest run\n\n${block}\n`;
  }
  return page.slice(0, start) + block + page.slice(end + TABLE_END.length);
}
