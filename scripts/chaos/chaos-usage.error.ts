/** A bad command line: the CLI prints the message and the usage, and exits with status 2. */
export class ChaosUsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'ChaosUsageError';
  }
}
