import { machineInfo } from '../support/machine-info';
import { benchMarkdown, replaceBetweenMarkers, TABLE_END, TABLE_START } from './bench-markdown';
import { BenchResult } from './bench';
import { defaultBenchOptions } from './bench.options';

describe('the benchmark page', () => {
  it('replaces only what is between the markers', () => {
    const page = `# Benchmarks\n\nhand-written\n\n${TABLE_START}\nold\n${TABLE_END}\n\n## Log\nkept\n`;
    expect(replaceBetweenMarkers(page, 'new')).toBe(
      `# Benchmarks\n\nhand-written\n\n${TABLE_START}\nnew\n${TABLE_END}\n\n## Log\nkept\n`,
    );
  });

  it('appends a section with the markers to a page that has none', () => {
    expect(replaceBetweenMarkers('# Benchmarks\n', 'table')).toBe(
      `# Benchmarks\n\n## Latest run\n\n${TABLE_START}\ntable\n${TABLE_END}\n`,
    );
  });

  it("says how each app reached its database, when the run saw the apps' sessions", () => {
    const result: BenchResult = {
      startedAt: '2026-12-05T07:00:00.000Z',
      finishedAt: '2026-12-05T07:01:00.000Z',
      options: defaultBenchOptions({}),
      machine: machineInfo(),
      processes: {},
      databaseTransports: { orchestrator: 'socket', flight: 'tcp', hotel: 'both', car: null },
      limits: null,
      configurations: [],
    };
    expect(benchMarkdown(result, 'r.json')).toContain(
      'The apps reach PostgreSQL through: orchestrator socket, flight tcp, hotel both, car –.',
    );
    expect(benchMarkdown({ ...result, databaseTransports: undefined }, 'r.json')).not.toContain(
      'reach PostgreSQL',
    );
  });
});
