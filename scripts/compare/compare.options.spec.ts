import { UsageError } from '../support/command-line';
import { parseCompareArgs } from './compare.options';

const parse = (...argv: string[]) => parseCompareArgs(argv, {});
const usageError = (...argv: string[]): UsageError => {
  try {
    parse(...argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('the compare command line', () => {
  it('defaults to 200 bookings, 16 at once, 30 % failures, seed 1, both modes, local apps', () => {
    const options = parse();
    expect(options).toMatchObject({
      bookings: 200,
      concurrency: 16,
      failureRate: 0.3,
      seed: 1,
      modes: ['orchestrated', 'choreographed'],
    });
    expect(options.endpoints.orchestratorUrl).toBe('http://localhost:3000');
    expect(options.endpoints.databases.payment).toBe(
      'postgres://postgres@localhost:5432/payment_service',
    );
  });

  it('reads flags as `--flag value` and `--flag=value`', () => {
    expect(
      parse('--bookings', '20', '--concurrency=4', '--failure-rate', '0.5', '--seed=7'),
    ).toMatchObject({ bookings: 20, concurrency: 4, failureRate: 0.5, seed: 7 });
    expect(parse('--modes', 'orchestrated').modes).toEqual(['orchestrated']);
  });

  it('takes the apps and databases from the environment', () => {
    const options = parseCompareArgs([], {
      ORCHESTRATOR_URL: 'http://orch:8080/',
      FLIGHT_DATABASE_URL: 'postgres://u:p@db/f',
    });
    expect(options.endpoints.orchestratorUrl).toBe('http://orch:8080');
    expect(options.endpoints.databases.flight).toBe('postgres://u:p@db/f');
  });

  it.each([
    [['--bookigns', '5'], /unknown flag: --bookigns/],
    [['--bookings'], /--bookings needs a value/],
    [['--bookings', '--seed', '3'], /--bookings needs a value/],
    [['--bookings', '0'], /--bookings must be an integer from 1/],
    [['--bookings', '2.5'], /--bookings must be an integer/],
    [['--concurrency', 'many'], /--concurrency must be an integer/],
    [['--failure-rate', '1.5'], /--failure-rate must be a number from 0 to 1/],
    [['--failure-rate', ''], /--failure-rate must be a number/],
    [['--seed', '-1'], /--seed must be an integer from 0/],
    [['--modes', 'orchestrated,sideways'], /--modes takes distinct modes/],
    [['--modes', 'orchestrated,orchestrated'], /--modes takes distinct modes/],
  ])('refuses %j with a usage error (exit 2)', (argv, message) => {
    const error = usageError(...argv);
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(2);
  });

  it('refuses an environment URL that does not parse, naming the variable', () => {
    expect(() => parseCompareArgs([], { HOTEL_URL: 'not a url' })).toThrow(/HOTEL_URL/);
  });
});
