import { BOOKING_MODES, BookingMode } from './booking-mode';

/** Builds the error of a bad command line; each CLI has its own class (exit status 2). */
export type UsageFailure = (message: string) => Error;

/** Sets one option from a flag's value; throws through `fail` on a bad value. */
export type FlagSetter<O> = (options: O, value: string, flag: string, fail: UsageFailure) => void;

/** Reads `--flag value` or `--flag=value` pairs into `options`; `switches` take no value. */
export function applyFlags<O>(
  argv: readonly string[],
  options: O,
  flags: Record<string, FlagSetter<O>>,
  fail: UsageFailure,
  switches: Record<string, (options: O) => void> = {},
): O {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = splitFlag(argv[i]);
    const toggle = switches[flag];
    if (toggle && inline === undefined) {
      toggle(options);
      continue;
    }
    const set = flags[flag];
    if (!set) throw fail(`unknown flag: ${argv[i]}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw fail(`${flag} needs a value`);
    }
    set(options, value, flag, fail);
  }
  return options;
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq > 0 && arg.startsWith('--') ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

export function integer(
  value: string,
  flag: string,
  min: number,
  max: number,
  fail: UsageFailure,
): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw fail(`${flag} must be an integer from ${min} to ${max}, not '${value}'`);
  }
  return n;
}

/** A comma-separated list of distinct integers, each within bounds. */
export function integerList(
  value: string,
  flag: string,
  min: number,
  max: number,
  fail: UsageFailure,
): number[] {
  const items = value.split(',').map((v) => integer(v, flag, min, max, fail));
  if (new Set(items).size !== items.length) throw fail(`${flag} lists a value twice: '${value}'`);
  return items;
}

export function fraction(value: string, flag: string, fail: UsageFailure): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw fail(`${flag} must be a number from 0 to 1, not '${value}'`);
  }
  return n;
}

export function bookingModes(value: string, flag: string, fail: UsageFailure): BookingMode[] {
  const names = value.split(',').map((m) => m.trim());
  const known = new Set<string>(BOOKING_MODES);
  const bad = names.filter((m) => !known.has(m));
  if (names.length === 0 || bad.length > 0 || new Set(names).size !== names.length) {
    throw fail(`${flag} takes distinct modes among ${BOOKING_MODES.join(', ')}, not '${value}'`);
  }
  return names as BookingMode[];
}

export function nonEmpty(value: string, flag: string, fail: UsageFailure): string {
  if (value.trim() === '') throw fail(`${flag} must not be empty`);
  return value;
}

export function oneOf<V extends string>(
  value: string,
  flag: string,
  allowed: readonly V[],
  fail: UsageFailure,
): V {
  if (!(allowed as readonly string[]).includes(value)) {
    throw fail(`${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  }
  return value as V;
}
