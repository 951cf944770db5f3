import { UsageError } from '../support/command-line';
import { parseBenchArgs } from './bench.options';

const parse = (...argv: string[]) => parseBenchArgs(argv, {});
const usageError = (...argv: string[]): UsageError => {
  try {
    parse(...argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('the bench command line', () => {
  it('defaults to 1, 16 and 64 in flight, both modes, 0 and 20 % failures, 15 s, 3 repeats', () => {
    expect(parse()).toMatchObject({
      durationS: 15,
      warmupS: 3,
      repeat: 3,
      concurrency: [1, 16, 64],
      modes: ['orchestrated', 'choreographed'],
      failureRates: [0, 0.2],
      probes: true,
      soakS: null,
      docsPath: 'docs/benchmarks.md',
    });
    expect(parse().endpoints.orchestratorUrl).toBe('http://localhost:3000');
  });

  it('takes --quick as a short run, and later flags over it', () => {
    expect(parse('--quick')).toMatchObject({ durationS: 5, warmupS: 2, repeat: 1 });
    expect(parse('--quick', '--repeat', '2')).toMatchObject({ durationS: 5, repeat: 2 });
  });

  it('reads lists, the soak and the switches', () => {
    const options = parse(
      '--concurrency=4,8',
      '--modes',
      'choreographed',
      '--failure-rates',
      '0.5',
      '--soak',
      '600',
      '--no-probes',
      '--docs',
      '-',
    );
    expect(options).toMatchObject({
      concurrency: [4, 8],
      modes: ['choreographed'],
      failureRates: [0.5],
      soakS: 600,
      probes: false,
      docsPath: null,
    });
  });

  it('refuses bad values with a message naming the flag, exit status 2', () => {
    expect(usageError('--duration', '0').message).toMatch(/--duration must be an integer/);
    expect(usageError('--concurrency', '1,1').message).toMatch(/twice/);
    expect(usageError('--modes', 'saga').message).toMatch(/--modes takes distinct modes/);
    expect(usageError('--failure-rates', '2').message).toMatch(/from 0 to 1/);
    expect(usageError('--what').message).toBe('unknown flag: --what');
    expect(usageError('--repeat').exitCode).toBe(2);
  });
});
