import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidatePromise,
  ValidationOptions,
  ValidatorOptions,
  validateSync,
} from 'class-validator';
import { compiledCheck } from './compiled-validation';
import { expectAgreement, GARBAGE, Node, Rng, seeded } from './compiled-validation.fixture';
import { IsSafeText } from './safe-text';

/** A custom constraint made with `registerDecorator`, as the repo's `IsSafeText` is. */
const IsEven =
  (options?: ValidationOptions): PropertyDecorator =>
  (target, propertyName) =>
    registerDecorator({
      name: 'isEven',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: { validate: (value: unknown) => typeof value === 'number' && value % 2 === 0 },
    });

class Address {
  @IsString() @IsNotEmpty() @MaxLength(20) street!: string;
  @IsOptional() @IsInt() @Min(0) zip?: number;
}

class Party {
  @IsString() @IsSafeText() @MinLength(2) id!: string;
  @IsString() code!: string;
}

class Person extends Party {
  /** Replaces the parent's rule of the same type, as class-validator merges them. */
  @MaxLength(4) declare code: string;
  @IsIn(['person', 'company']) kind!: string;
  @ValidateIf((person: Person) => person.kind === 'company') @IsString() @IsNotEmpty() vat?: string;
  @IsDefined() @ValidateNested() @Type(() => Address) address!: Address;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => Address)
  others?: Address[];
  @IsOptional() @IsString({ each: true }) @MaxLength(5, { each: true }) tags?: string[];
  @IsOptional() @IsEven() lucky?: number;
  @Allow() note?: unknown;
}

const address = (rng: Rng) => ({ street: rng.text(1, 20), zip: rng.maybe(() => rng.int(0, 9)) });
const person = (rng: Rng): Node => {
  const kind = rng.pick(['person', 'company']);
  return {
    id: rng.text(2, 12),
    code: rng.text(0, 4),
    kind,
    vat: kind === 'company' ? rng.text(1, 12) : rng.maybe(() => rng.pick([7, '', null])),
    address: address(rng),
    others: rng.maybe(() => rng.listOf(3, () => address(rng))),
    tags: rng.maybe(() => rng.listOf(3, () => rng.text(0, 5))),
    lucky: rng.maybe(() => 2 * rng.between(-5, 5)),
    note: rng.maybe(() => rng.pick(GARBAGE)),
  };
};

const PERSON_OPTIONS: ValidatorOptions[] = [
  {},
  { forbidUnknownValues: false },
  { whitelist: true },
  { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false },
  { skipMissingProperties: true },
  { skipNullProperties: true, stopAtFirstError: true },
  { skipUndefinedProperties: true, dismissDefaultMessages: true },
];

/** `each` and nested rules over arrays (sparse ones too), sets and maps, built by hand. */
class Tally {
  @IsInt({ each: true }) scores!: unknown;
  @IsOptional() @ValidateNested() items?: unknown;
}

function tally(rng: Rng): Tally {
  const street = (name: unknown) => Object.assign(new Address(), { street: name });
  const collect = (items: unknown[]) => {
    const sparse: unknown[] = [];
    items.forEach((item, i) => (sparse[2 * i + 1] = item));
    return rng.pick([items, sparse, new Set(items), new Map(items.map((item, i) => [i, item]))]);
  };
  const score = () => rng.pick([1, 2, 1.5, 'x', null]);
  const item = () =>
    rng.pick([street('Elm'), street(''), { street: 'Oak' }, null, undefined, 'x', [street('Ash')]]);
  return Object.assign(new Tally(), {
    scores: rng.chance(0.1) ? rng.pick([5, 'x', undefined]) : collect(rng.listOf(3, score)),
    items: rng.chance(0.2)
      ? rng.pick([undefined, null, 5, street('Elm')])
      : collect(rng.listOf(3, item)),
  });
}

describe('compiledCheck, on the rules class-validator has', () => {
  it.each(PERSON_OPTIONS)('agrees on a class with every supported rule, under %j', (options) =>
    expectAgreement({ name: 'Person', dto: Person, options, valid: person }, 7),
  );

  it.each([{}, { forbidUnknownValues: false }, { skipNullProperties: true }])(
    'agrees on `each` and nested rules over arrays, sets and maps, under %j',
    (options) => {
      const check = compiledCheck(Tally, options);
      const rng = seeded(11);
      const cases = Array.from({ length: 400 }, () => tally(rng));
      const answers = cases.map((instance) => check?.(instance));
      expect(answers).toEqual(
        cases.map((instance) => validateSync(instance, options).length === 0),
      );
      expect(answers.filter(Boolean).length).toBeGreaterThan(20);
    },
  );
});

describe('compiledCheck, where class-validator alone can tell', () => {
  const probe = (validate: () => boolean | Promise<boolean>, async = false) => {
    class Probe {
      value = 'x';
    }
    registerDecorator({
      name: 'probe',
      target: Probe,
      propertyName: 'value',
      async,
      validator: { validate },
    });
    return Probe;
  };
  class Grouped {
    @IsString({ groups: ['admin'] }) name = 'x';
  }
  class Always {
    @IsString({ always: true }) name = 'x';
  }
  class Promised {
    @ValidatePromise() @IsString() name = Promise.resolve('x');
  }

  it('is null for an async constraint, a grouped rule, `always`, `ValidatePromise`', () => {
    expect(compiledCheck(probe(async () => true, true))).toBeNull();
    expect(compiledCheck(Grouped)).toBeNull();
    expect(compiledCheck(Always)).toBeNull();
    expect(compiledCheck(Promised)).toBeNull();
  });

  it('says no, for class-validator to decide, to a promise it cannot wait for', () => {
    const Probe = probe(() => Promise.resolve(false));
    expect(compiledCheck(Probe)?.(new Probe())).toBe(false);
    // `validateSync` leaves it out; `validate` (what ValidationPipe calls) waits for it.
    expect(validateSync(new Probe())).toEqual([]);
  });

  it('says no to a constraint that throws, which class-validator then throws', () => {
    const Probe = probe(() => {
      throw new Error('the constraint broke');
    });
    expect(compiledCheck(Probe)?.(new Probe())).toBe(false);
    expect(() => validateSync(new Probe())).toThrow('the constraint broke');
  });

  it('says no to a nested instance of a class it does not support', () => {
    class Outer {
      @ValidateNested() inner = new Grouped();
    }
    expect(compiledCheck(Outer)?.(new Outer())).toBe(false);
    expect(validateSync(new Outer())).toEqual([]);
  });

  it.each([{}, { forbidUnknownValues: false }, { whitelist: true, forbidNonWhitelisted: true }])(
    'answers as class-validator on a class without rules, under %j',
    (options: ValidatorOptions) => {
      class Bare {
        x = 1;
      }
      const expected = validateSync(new Bare(), options).length === 0;
      expect(compiledCheck(Bare, options)?.(new Bare())).toBe(expected);
    },
  );
});
