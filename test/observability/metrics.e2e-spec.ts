import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { load } from 'js-yaml';
import { tripParticipantProfiles } from '@app/trip-api';
import { participantUrlVariable } from '../../apps/orchestrator/src/config/orchestrator.config';
import { METRICS_TARGETS_PATH } from '../../apps/orchestrator/src/observability/metrics-targets';
import { TRIP_APPS } from '../../scripts/support/trip-endpoints';
import { AppName, TripSystem } from '../support/trip-system';
import { eventually } from '../support/wait-for';

const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const APPS: readonly AppName[] = TRIP_APPS;

interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(read('deploy/grafana/dashboards/nest-saga.json')) as {
  panels: Panel[];
};
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

const PROMQL_WORDS = new Set(
  [
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'offset',
    'bool',
    'and',
    'or',
    'unless',
    'inf',
    'nan',
  ].map((w) => w.toLowerCase()),
);

/** The metric names a PromQL expression reads: functions, labels and keywords left out. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = bare.slice((match.index ?? 0) + match[0].length);
    if (/^\s*\(/.test(rest) || PROMQL_WORDS.has(match[0].toLowerCase())) continue;
    names.push(match[0]);
  }
  return names;
}

/** Sample names in a Prometheus text exposition, with how many samples each has. */
function samples(exposition: string): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const line of exposition.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) continue;
    byName.set(name, [...(byName.get(name) ?? []), line]);
  }
  return byName;
}

describe('the PromQL reader of the dashboard test', () => {
  it('takes the metrics and leaves out functions, labels, ranges and groupings', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, step) (rate(saga_step_duration_seconds_bucket{outcome="completed"}[5m])))',
      ),
    ).toEqual(['saga_step_duration_seconds_bucket']);
    expect(metricNames('sum(saga_timers_due) / on (service) saga_timers_scheduled > 0')).toEqual([
      'saga_timers_due',
      'saga_timers_scheduled',
    ]);
  });
});

describe('metrics, their Prometheus scrape config and the Grafana dashboard', () => {
  let system: TripSystem;
  let exposition = '';

  beforeAll(async () => {
    system = await TripSystem.start({ env: { STEP_TIMEOUT_MS: '700' } });
    // A retry (a transient failure once), a late reply (a hotel slower than its timeout).
    await system
      .http('flight')
      .post('/faults')
      .send({ match: 'flight.reserve', action: 'fail', count: 1 })
      .expect(201);
    await system
      .http('hotel')
      .post('/faults')
      .send({ match: 'hotel.reserve', action: 'delay', delayMs: 1500, count: 1 })
      .expect(201);
    const book = (mode: string, faults = {}) =>
      system.book({
        mode,
        customerId: 'cust-1',
        flight: { flightId: 'FL-100', seats: 1 },
        hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
        faults,
      });
    const ids: string[] = [];
    for (const mode of ['orchestrated', 'choreographed']) {
      for (const faults of [{}, { payment: 'fail' }]) ids.push(await book(mode, faults));
    }
    for (const id of ids) await system.settled(id);
    // Which of the first two the one-off faults hit depends on timing: one more, once they
    // are spent, confirms in each mode.
    for (const mode of ['orchestrated', 'choreographed']) await system.settled(await book(mode));
    // A message no consumer can read: dead-lettered at once.
    const connection = await connect(system.vhost.url);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue('flight.commands', Buffer.from('not json'), { messageId: 'poison-1' });
    await channel.waitForConfirms();
    await connection.close();
    await eventually(async () => {
      const text = (await system.http('orchestrator').get('/metrics').expect(200)).text;
      expect(text).toMatch(
        /saga_dead_letter_queue_messages\{[^}]*queue="flight.commands.dead-letter"[^}]*\} 1/,
      );
      expect(text).toMatch(/saga_ignored_messages_total\{/);
      exposition = text;
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('serves /metrics on every app', async () => {
    for (const app of APPS) {
      const response = await system.http(app).get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toContain('saga_outbox_backlog');
    }
  });

  it('counts sagas started and ended by definition, mode and status, with their durations', () => {
    const found = samples(exposition);
    for (const mode of ['orchestrated', 'choreographed']) {
      expect(found.get('saga_started_total')?.join('\n')).toMatch(
        new RegExp(`mode="${mode}".* 3$`, 'm'),
      );
      for (const status of ['CONFIRMED', 'CANCELLED']) {
        const ended = (found.get('saga_ended_total') ?? []).filter(
          (l) => l.includes(`mode="${mode}"`) && l.includes(`status="${status}"`),
        );
        expect(ended.length).toBeGreaterThan(0);
      }
    }
    expect(found.get('saga_duration_seconds_count')?.length).toBeGreaterThan(0);
    expect(found.get('saga_compensations_total')?.join('\n')).toContain('outcome="compensated"');
    expect(found.get('saga_retries_total')?.join('\n')).toContain('phase="forward"');
  });

  it('names in the dashboard only metrics that a running app serves, each with samples', () => {
    const found = samples(exposition);
    const names = [...new Set(queries.flatMap(metricNames))].sort();
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name) => !found.has(name))).toEqual([]);
  });

  it('queries the provisioned Prometheus datasource from every panel', () => {
    const datasources = load(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    const [prometheus] = datasources.datasources;
    expect(prometheus.url).toBe('http://prometheus:9090');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.filter((p) => p.datasource?.uid !== prometheus.uid)).toEqual([]);
  });

  it('scrapes the orchestrator, and the participants it lists from their URLs, as docker-compose.yml runs them', () => {
    const compose = load(read('docker-compose.yml')) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
    };
    const config = load(read('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: {
        metrics_path: string;
        static_configs: { targets: string[] }[];
        http_sd_configs: { url: string }[];
      }[];
    };
    const [job] = config.scrape_configs;
    expect(job.metrics_path).toBe('/metrics');
    const orchestrator = compose.services.orchestrator.environment ?? {};
    const base = `orchestrator:${orchestrator.PORT}`;
    expect(job.static_configs.flatMap((c) => c.targets)).toEqual([base]);
    expect(job.http_sd_configs.map((c) => c.url)).toEqual([
      `http://${base}${METRICS_TARGETS_PATH}`,
    ]);
    // What the orchestrator lists is where it reaches each participant: its compose service.
    for (const { name, app } of tripParticipantProfiles()) {
      expect(orchestrator[participantUrlVariable(name)]).toBe(
        `http://${app}:${compose.services[app].environment?.PORT}`,
      );
    }
    expect(compose.services.prometheus.volumes).toContain(
      './deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
    expect(compose.services.grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });

  it('lists the participants for Prometheus where the orchestrator reaches them (HTTP service discovery)', async () => {
    const response = await system.http('orchestrator').get(METRICS_TARGETS_PATH).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
    // The test system sets no FLIGHT_URL, …: each participant's default, from its profile.
    expect(response.body).toEqual(
      tripParticipantProfiles().map(({ name, app, port }) => ({
        targets: [`localhost:${port}`],
        labels: { participant: name, app },
      })),
    );
  });
});
