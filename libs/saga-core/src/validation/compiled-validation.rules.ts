import {
  getMetadataStorage,
  MetadataStorage,
  ValidationArguments,
  ValidationTypes,
  ValidatorConstraintInterface,
} from 'class-validator';

/** A class whose instances class-validator checks. */
export type DtoClass = abstract new (...args: never[]) => unknown;
/** One rule of class-validator's storage (a `ValidationMetadata`). */
type Rule = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
/** One constraint class's registration (a `ConstraintMetadata`). */
type Constraint = ReturnType<MetadataStorage['getTargetValidatorConstraints']>[number];
type Bag = Record<string, unknown>;
type Condition = (object: object, value: unknown) => unknown;
type ValueCheck = (object: Bag, value: unknown) => boolean;

/** The validator options that decide whether there is an error, as the executor reads them. */
export interface RuleFlags {
  readonly key: number;
  readonly forbidUnknownValues: boolean;
  readonly whitelist: boolean;
  readonly forbidNonWhitelisted: boolean;
  /** `skipUndefinedProperties` or `skipMissingProperties`. */
  readonly skipsUndefined: boolean;
  /** `skipNullProperties` or `skipMissingProperties`. */
  readonly skipsNull: boolean;
}

/** A class's rules, compiled for one set of flags. */
export interface ClassRules {
  /** True when class-validator finds no error on an object of the class; null if unsupported. */
  readonly check: ((object: object) => boolean) | null;
  /** False once class-validator's storage holds rules or constraints added since the compile. */
  isFresh(): boolean;
}

/** The parts of class-validator's storage that tell whether rules were added; read, never written. */
interface StorageMaps {
  validationMetadatas: Map<unknown, unknown[]>;
  constraintMetadatas: Map<unknown, unknown[]>;
}

const { CUSTOM_VALIDATION, IS_DEFINED, CONDITIONAL_VALIDATION, NESTED_VALIDATION, WHITELIST } =
  ValidationTypes;
/** The rule types the executor of class-validator 0.15 acts on without a promise. */
const MIRRORED = new Set([
  CUSTOM_VALIDATION,
  IS_DEFINED,
  CONDITIONAL_VALIDATION,
  NESTED_VALIDATION,
  WHITELIST,
]);
const UNSUPPORTED: ClassRules = { check: null, isFresh: () => true };

/**
 * The rules of `dtoClass` (its own and its parents', as `getTargetValidationMetadatas` gives
 * them to `validateSync`) as plain loops over the same constraint objects, in the executor's
 * order: per property, the conditions, `IsDefined`, the skip options, the other constraints,
 * then the nested value. `nested` checks a nested object, by its own constructor as the executor
 * does. Any rule it does not mirror exactly makes the whole class unsupported.
 */
export function compileClassRules(
  dtoClass: DtoClass,
  flags: RuleFlags,
  nested: (value: object) => boolean,
): ClassRules {
  const storage = getMetadataStorage();
  const maps = storageMaps(storage);
  if (maps === null) return UNSUPPORTED;
  try {
    const rules = storage.getTargetValidationMetadatas(dtoClass, '', false, false, undefined);
    const constraintsOf = (rule: Rule) => storage.getTargetValidatorConstraints(rule.constraintCls);
    const isFresh = freshness(maps, dtoClass, rules);
    if (!rules.every((rule) => isMirrored(rule, constraintsOf))) return { check: null, isFresh };
    if (rules.length === 0 && flags.forbidUnknownValues) return { check: () => false, isFresh };
    const grouped = storage.groupByPropertyName(rules);
    const properties = Object.keys(grouped)
      .map((name) => compileProperty(name, grouped[name], constraintsOf, flags, nested))
      .filter((property): property is (object: Bag) => boolean => property !== null);
    const whitelist = flags.whitelist ? whitelister(grouped, flags.forbidNonWhitelisted) : null;
    const check = (object: object): boolean => {
      if (whitelist !== null && !whitelist(object as Bag)) return false;
      for (const property of properties) if (!property(object as Bag)) return false;
      return true;
    };
    return { check, isFresh };
  } catch {
    // What throws here (a schema registered by name, a container refusing a constraint)
    // throws in class-validator too: it is left to say so.
    return UNSUPPORTED;
  }
}

function isMirrored(rule: Rule, constraintsOf: (rule: Rule) => Constraint[]): boolean {
  if (!MIRRORED.has(rule.type) || rule.always !== undefined) return false;
  if (rule.groups && rule.groups.length > 0) return false;
  if (rule.type === CONDITIONAL_VALIDATION) return typeof rule.constraints?.[0] === 'function';
  if (rule.type === CUSTOM_VALIDATION || rule.type === IS_DEFINED) {
    return constraintsOf(rule).every((constraint) => !constraint.async);
  }
  return true;
}

/** `performValidations` for one property; null when nothing in it can fail. */
function compileProperty(
  name: string,
  group: Rule[],
  constraintsOf: (rule: Rule) => Constraint[],
  flags: RuleFlags,
  nested: (value: object) => boolean,
): ((object: Bag) => boolean) | null {
  const ofType = (type: string) => group.filter((rule) => rule.type === type);
  const conditions = ofType(CONDITIONAL_VALIDATION).map((rule) => rule.constraints[0] as Condition);
  const compile = (rule: Rule) => compileConstraints(rule, constraintsOf(rule));
  const defined = ofType(IS_DEFINED).map(compile);
  const customs = ofType(CUSTOM_VALIDATION).map(compile);
  const hasNested = group.some((rule) => rule.type === NESTED_VALIDATION);
  if (defined.length === 0 && customs.length === 0 && !hasNested) return null;
  const { skipsUndefined, skipsNull } = flags;
  const skips = (value: unknown) =>
    value === undefined ? skipsUndefined : value === null && skipsNull;
  // Every nested rule checks the same value the same way: once is enough.
  const nestedValid = (value: unknown): boolean => {
    if (value === undefined) return true;
    // `every` skips the holes of a sparse array, as the executor's `forEach` does.
    if (Array.isArray(value)) return value.every((item) => skips(item) || nestedValid(item));
    if (value instanceof Set || value instanceof Map) {
      return Array.from(value.values()).every((item) => skips(item) || nestedValid(item));
    }
    return value instanceof Object && nested(value);
  };
  return (object) => {
    const value = object[name];
    if (!conditionsHold(conditions, object, value)) return true;
    for (const check of defined) if (!check(object, value)) return false;
    if (skips(value)) return true;
    for (const check of customs) if (!check(object, value)) return false;
    return !hasNested || nestedValid(value);
  };
}

/** Every condition is called, as the executor maps them all before it reduces the results. */
function conditionsHold(conditions: Condition[], object: object, value: unknown): boolean {
  let holds: unknown = true;
  for (const condition of conditions) {
    const result = condition(object, value);
    holds = holds && result;
  }
  return Boolean(holds);
}

/** `customValidations` for one rule: each of its constraint class's registrations. */
function compileConstraints(rule: Rule, constraints: Constraint[]): ValueCheck {
  const { each, validateIf, propertyName: property, constraints: ruleConstraints } = rule;
  const validators = constraints.map(validatorOf);
  return (object, value) => {
    if (validateIf && !validateIf(object, value)) return true;
    for (const validator of validators) {
      const args: ValidationArguments = {
        targetName: targetNameOf(object),
        property,
        object,
        value,
        constraints: ruleConstraints,
      };
      if (!each || !(Array.isArray(value) || value instanceof Set || value instanceof Map)) {
        if (!accepted(validator().validate(value, args))) return false;
      } else if (!toArray(value).every((item) => accepted(validator().validate(item, args)))) {
        return false;
      }
    }
    return true;
  };
}

/**
 * The object `validate` is called on. The class `registerDecorator` wraps a validator object in
 * calls that object whichever instance the container gives, so its instance is taken once; any
 * other constraint class is asked of the container at each call, as the executor does, for an
 * app may set its own container (`useContainer`) after the first compile.
 */
function validatorOf(constraint: Constraint): () => ValidatorConstraintInterface {
  if (!wrapsValidatorObject(constraint.target)) return () => constraint.instance;
  const instance = constraint.instance;
  return () => instance;
}

const WRAPPER_CALL = 'return validator.validate(value, validationArguments);';
const wrapsValidatorObject = (target: object) =>
  typeof target === 'function' &&
  target.name === 'CustomConstraint' &&
  Function.prototype.toString.call(target).includes(WRAPPER_CALL);

/** A constraint's answer that makes no error without waiting: truthy and not a promise. */
const accepted = (result: unknown) => Boolean(result) && !isPromise(result);
const isPromise = (value: unknown) =>
  value !== null &&
  typeof value === 'object' &&
  typeof (value as { then?: unknown }).then === 'function';

/** class-validator's `convertToArray`: a Map's values, a Set's items, an array as it is. */
const toArray = (value: unknown[] | Set<unknown> | Map<unknown, unknown>): unknown[] =>
  value instanceof Map ? Array.from(value.values()) : Array.isArray(value) ? value : [...value];

function targetNameOf(object: object): string {
  const constructor = (object as { constructor?: { name?: string } }).constructor;
  // As the executor builds it: `undefined` when the object has no constructor.
  return (constructor ? constructor.name : undefined) as string;
}

/** `whitelist`: a key without any rule is refused (forbidNonWhitelisted) or deleted. */
function whitelister(grouped: Record<string, Rule[]>, forbid: boolean): (object: Bag) => boolean {
  return (object) => {
    for (const key of Object.keys(object)) {
      // The same test on the same kind of object, inherited keys such as `constructor` included.
      const group = grouped[key];
      if (!group || group.length === 0) {
        if (forbid) return false;
        delete object[key];
      }
    }
    return true;
  };
}

function storageMaps(storage: MetadataStorage): StorageMaps | null {
  const maps = storage as unknown as Partial<Record<keyof StorageMaps, unknown>>;
  return maps.validationMetadatas instanceof Map && maps.constraintMetadatas instanceof Map
    ? (maps as StorageMaps)
    : null;
}

/**
 * Rules are added to the storage, never removed: the sizes of its two maps and the lengths of
 * the lists the compile read (the class's, its parents', its constraints') tell whether it
 * still holds what was compiled, for the price of a few reads per check.
 */
function freshness(maps: StorageMaps, dtoClass: DtoClass, rules: Rule[]): () => boolean {
  const { validationMetadatas, constraintMetadatas } = maps;
  const { prototype } = dtoClass as unknown as { prototype: unknown };
  const lists: unknown[][] = [];
  for (const [target, list] of validationMetadatas) {
    if (target === dtoClass || prototype instanceof (target as DtoClass)) lists.push(list);
  }
  for (const rule of rules) {
    const list = rule.constraintCls ? constraintMetadatas.get(rule.constraintCls) : undefined;
    if (list) lists.push(list);
  }
  const lengths = lists.map((list) => list.length);
  const [ruleTargets, constraintTargets] = [validationMetadatas.size, constraintMetadatas.size];
  return () =>
    validationMetadatas.size === ruleTargets &&
    constraintMetadatas.size === constraintTargets &&
    lists.every((list, i) => list.length === lengths[i]);
}
