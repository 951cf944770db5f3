import { ValidationOptions, registerDecorator } from 'class-validator';

/**
 * Control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in
 * `text` and `\u0000` in `jsonb`; the others have no business in an identifier or a note.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** A surrogate without its other half: it has no UTF-8 form, and `jsonb` refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `value` cannot be stored or sent as text, or null when it can. One rule for every
 * string that comes from outside (bodies, headers, path and query parameters), so that such
 * input is a 400 that stores nothing, not a database error answered with a 500.
 */
export function unsafeTextReason(value: string): string | null {
  if (CONTROL.test(value)) return 'must not contain control characters (such as NUL)';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/**
 * `value` made safe to store: control characters and unpaired surrogates replaced by U+FFFD,
 * cut to `maxLength`. For text the engine writes itself, such as an error's message.
 */
export function toSafeText(value: string, maxLength = 1_000): string {
  const cut = value.length > maxLength ? `${value.slice(0, maxLength - 1)}…` : value;
  return cut
    .replace(new RegExp(CONTROL.source, 'g'), '\uFFFD')
    .replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

/** class-validator: the property, when a string, is safe text (see `unsafeTextReason`). */
export function IsSafeText(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isSafeText',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || unsafeTextReason(value) === null,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} ${unsafeTextReason(String(args?.value)) ?? 'is not safe text'}`,
      },
    });
}
