import { isDeepStrictEqual } from 'util';
import { plainToInstance } from 'class-transformer';
import { ValidatorOptions, validateSync } from 'class-validator';
import { compiledCheck } from './compiled-validation';

/** A payload as it comes, before class-transformer: an object, or one nested in it. */
export type Node = Record<string, unknown>;
export type Rng = ReturnType<typeof seeded>;
const ALPHABET = [...'AZaz09-_ .éß東'];

/** A seeded generator (mulberry32): the same cases on every run. */
export function seeded(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const between = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[between(0, items.length - 1)];
  const chance = (p: number) => next() < p;
  /** An integer in [min, max], one of its ends one time in three. */
  const int = (min: number, max: number) => (chance(1 / 3) ? pick([min, max]) : between(min, max));
  const text = (min: number, max: number) =>
    Array.from({ length: int(min, max) }, () => pick(ALPHABET)).join('');
  const maybe = <T>(make: () => T): T | undefined => (chance(0.5) ? make() : undefined);
  const listOf = <T>(max: number, make: () => T) => Array.from({ length: between(0, max) }, make);
  return { between, pick, chance, int, text, maybe, listOf };
}

/** Wrong types, missing and empty values, too long or unsafe text, nested garbage. */
export const GARBAGE: readonly unknown[] = [
  ...[undefined, null, '', ' ', 'x', 'X'.repeat(65), 'a\u0000b', '\ud800', '3', true],
  ...[0, -1, 1, 2, 1.5, 365, 366, 1000, 1001, NaN],
  ...[{}, { flightId: 7 }, { street: 'Elm' }, [], [1, 'a'], [{}], ['fail']],
];

const nodesOf = (value: unknown): Node[] =>
  value !== null && typeof value === 'object'
    ? [value as Node, ...Object.values(value).flatMap(nodesOf)]
    : [];

/** One to three changes anywhere in `plain`: a key removed, added, garbled, or put in an array. */
export function mutated(rng: Rng, plain: Node): Node {
  for (let n = rng.between(1, 3); n > 0; n--) {
    const node = rng.pick(nodesOf(plain));
    const keys = Object.keys(node);
    const key = keys.length > 0 && rng.chance(0.8) ? rng.pick(keys) : rng.pick(['extra', '0']);
    const change = rng.between(0, 3);
    if (change === 0) delete node[key];
    else if (change === 1 && typeof node[key] === 'object' && node[key] !== null) {
      node[key] = [node[key]];
    } else node[key] = structuredClone(rng.pick(GARBAGE));
  }
  return plain;
}

/** A DTO, the options its caller validates it with, and a valid payload of it drawn at random. */
export interface Scenario {
  name: string;
  dto: new () => object;
  options: ValidatorOptions;
  valid: (rng: Rng) => Node;
}

/**
 * Valid payloads and mutations of them, transformed as the callers do: the check must say
 * what `validateSync` says, and leave the instance as class-validator does once the caller
 * has run it on a "no" (`whitelist` deletes keys).
 */
export function expectAgreement(
  { dto, options, valid }: Scenario,
  seed: number,
  cases = 400,
): void {
  const rng = seeded(seed);
  const check = compiledCheck(dto, options);
  if (check === null) throw new Error(`${dto.name} does not compile`);
  const disagreements: unknown[] = [];
  let accepted = 0;
  for (let i = 0; i < cases; i++) {
    const plain = i % 4 === 0 ? valid(rng) : mutated(rng, valid(rng));
    const [fast, slow] = [0, 1].map(() => plainToInstance(dto, structuredClone(plain)));
    const passed = check(fast);
    if (!passed) validateSync(fast, options);
    const expected = validateSync(slow, options).length === 0;
    if (passed !== expected || !isDeepStrictEqual(fast, slow)) {
      disagreements.push({ plain, passed, expected });
    }
    if (expected) accepted++;
  }
  expect(disagreements.slice(0, 3)).toEqual([]);
  // Both answers were put to the test.
  expect(accepted).toBeGreaterThan(cases / 10);
  expect(accepted).toBeLessThan(cases - cases / 10);
}
