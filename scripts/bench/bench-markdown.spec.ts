import { replaceBetweenMarkers, TABLE_END, TABLE_START } from './bench-markdown';

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
});
