/** A bad command line: the tool prints the message and its usage, and exits with status 2. */
export class UsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Runs a tool of `scripts/`: `--help` prints the usage, a UsageError from `parse` prints the
 * message and the usage and exits 2, anything else thrown prints its message and exits 1;
 * otherwise the exit status is what `run` returns.
 */
export function runCommandLine<Options>(
  tool: string,
  usage: string,
  parse: (argv: string[]) => Options,
  run: (options: Options) => Promise<number>,
): void {
  const main = async (argv: string[]): Promise<number> => {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(usage);
      return 0;
    }
    let options: Options;
    try {
      options = parse(argv);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      console.error(`${tool}: ${error.message}\n\n${usage}`);
      return error.exitCode;
    }
    return run(options);
  };
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`${tool}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
