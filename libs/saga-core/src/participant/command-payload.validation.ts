import { plainToInstance } from 'class-transformer';
import { ValidationError, ValidatorOptions, validateSync } from 'class-validator';
import { TerminalStepError } from '../errors/terminal-step.error';
import { compiledCheck } from '../validation/compiled-validation';

/** The refusal code of a command whose payload does not have the shape its type promises. */
export const INVALID_PAYLOAD = 'INVALID_PAYLOAD';

const PAYLOAD_OPTIONS: ValidatorOptions = { forbidUnknownValues: true };

/**
 * Checks a command's payload against a class-validator DTO. A malformed payload is refused
 * for good (the saga compensates at once) rather than retried: it can never become valid.
 */
export function validatePayload<T extends object>(dtoClass: new () => T, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TerminalStepError(INVALID_PAYLOAD, `${dtoClass.name}: the payload must be an object`);
  }
  const dto = plainToInstance(dtoClass, payload);
  // The compiled check says yes only when class-validator would: it then has nothing to add.
  if (compiledCheck(dtoClass, PAYLOAD_OPTIONS)?.(dto)) return dto;
  const errors = validateSync(dto, PAYLOAD_OPTIONS);
  if (errors.length > 0) {
    throw new TerminalStepError(INVALID_PAYLOAD, `${dtoClass.name}: ${describe(errors)}`);
  }
  return dto;
}

/** Every constraint that failed, nested ones included, prefixed by their property path. */
function describe(errors: ValidationError[], path = ''): string {
  return errors
    .flatMap((error) => {
      const at = `${path}${error.property}`;
      const own = Object.values(error.constraints ?? {}).map((m) => (path ? `${path}${m}` : m));
      const nested = error.children?.length ? [describe(error.children, `${at}.`)] : [];
      return [...own, ...nested];
    })
    .join('; ');
}
