import { ValidatorOptions } from 'class-validator';
import { ClassRules, compileClassRules, DtoClass, RuleFlags } from './compiled-validation.rules';

export type { DtoClass } from './compiled-validation.rules';

/**
 * Whether class-validator would find no error on an (already transformed) instance: true only
 * when `validateSync(instance, options)`, or `validate`, would give `[]`, having called the
 * same constraints with the same arguments. False means "ask class-validator", not "invalid":
 * it is also the answer whenever the check cannot be sure, and class-validator then gives the
 * errors, their messages and its side effects (such as `whitelist` deleting keys) as ever.
 */
export type CompiledCheck = (instance: object) => boolean;

/** The options that shape the errors only, not whether there is one. */
const ERROR_SHAPE_OPTIONS = ['validationError', 'stopAtFirstError', 'dismissDefaultMessages'];
/** The options whose effect the compiled rules mirror (see `flagsOf`). */
const MIRRORED_OPTIONS = [
  'forbidUnknownValues',
  'whitelist',
  'forbidNonWhitelisted',
  'skipMissingProperties',
  'skipNullProperties',
  'skipUndefinedProperties',
];
/** Read by `unsupported`: they choose other rules (groups) or add a warning. */
const CHECKED_OPTIONS = ['groups', 'always', 'strictGroups', 'enableDebugMessages'];
const KNOWN_OPTIONS = new Set([...ERROR_SHAPE_OPTIONS, ...MIRRORED_OPTIONS, ...CHECKED_OPTIONS]);

const flagSets = new Map<number, RuleFlags>();
const compiled = new WeakMap<DtoClass, Map<number, ClassRules>>();
const checks = new Map<number, CompiledCheck>();

/**
 * The compiled check for instances of `dtoClass` under `options`, or null when class-validator
 * must decide: options it does not mirror (groups, `always`, `strictGroups`,
 * `enableDebugMessages`, any it does not know), or a rule of the class it does not (an async
 * or grouped constraint, `ValidatePromise`, a rule type it does not know). A nested class is
 * compiled when an instance of it is first met, and a check that meets an unsupported one
 * answers false. Compiled once per class and options; compiled again when class-validator's
 * storage gets rules after the compile.
 */
export function compiledCheck(
  dtoClass: DtoClass,
  options?: ValidatorOptions,
): CompiledCheck | null {
  const flags = flagsOf(options);
  if (flags === null || typeof dtoClass !== 'function') return null;
  if (rulesOf(dtoClass, flags).check === null) return null;
  let check = checks.get(flags.key);
  if (check === undefined) {
    check = (instance) => {
      try {
        return passes(instance, flags);
      } catch {
        // The same constraint, called the same way, throws in class-validator too.
        return false;
      }
    };
    checks.set(flags.key, check);
  }
  return check;
}

/** The executor's `execute`: the rules of the object's own constructor, whatever was declared. */
function passes(object: object, flags: RuleFlags): boolean {
  const constructor: unknown = object.constructor;
  if (typeof constructor !== 'function') return false;
  const { check } = rulesOf(constructor as DtoClass, flags);
  return check !== null && check(object);
}

function rulesOf(dtoClass: DtoClass, flags: RuleFlags): ClassRules {
  let byFlags = compiled.get(dtoClass);
  if (byFlags === undefined) {
    byFlags = new Map();
    compiled.set(dtoClass, byFlags);
  }
  let rules = byFlags.get(flags.key);
  if (rules === undefined || !rules.isFresh()) {
    rules = compileClassRules(dtoClass, flags, (value) => passes(value, flags));
    byFlags.set(flags.key, rules);
  }
  return rules;
}

/** The options as the executor reads them (`=== true` for the skips), or null if unsupported. */
function flagsOf(options: ValidatorOptions | undefined): RuleFlags | null {
  const given = options ?? {};
  if (unsupported(given)) return null;
  const skipsMissing = given.skipMissingProperties === true;
  const forbidUnknownValues = given.forbidUnknownValues !== false;
  const whitelist = Boolean(given.whitelist);
  const forbidNonWhitelisted = whitelist && Boolean(given.forbidNonWhitelisted);
  const skipsUndefined = skipsMissing || given.skipUndefinedProperties === true;
  const skipsNull = skipsMissing || given.skipNullProperties === true;
  const bits = [forbidUnknownValues, whitelist, forbidNonWhitelisted, skipsUndefined, skipsNull];
  const key = bits.reduce((sum, bit, i) => sum | (Number(bit) << i), 0);
  let flags = flagSets.get(key);
  if (flags === undefined) {
    flags = {
      key,
      forbidUnknownValues,
      whitelist,
      forbidNonWhitelisted,
      skipsUndefined,
      skipsNull,
    };
    flagSets.set(key, flags);
  }
  return flags;
}

function unsupported(options: ValidatorOptions): boolean {
  const { groups, always, strictGroups, enableDebugMessages } = options;
  if ((groups && groups.length > 0) || always || strictGroups || enableDebugMessages === true) {
    return true;
  }
  const given = options as Record<string, unknown>;
  return Object.keys(given).some((key) => !KNOWN_OPTIONS.has(key) && given[key] !== undefined);
}
