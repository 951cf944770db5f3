import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { unsafeTextReason } from './safe-text';

export interface SafeTextPipeOptions {
  /** How the value is named in the error, e.g. `Idempotency-Key`. */
  name: string;
  maxLength?: number;
}

/**
 * `unsafeTextReason` for a path parameter or a header, with an optional length limit: bad
 * input is a 400 in Nest's usual shape before any query runs. An absent value passes.
 */
@Injectable()
export class SafeTextPipe implements PipeTransform<string | undefined, string | undefined> {
  constructor(private readonly options: SafeTextPipeOptions) {}

  transform(value: string | undefined): string | undefined {
    if (value === undefined) return value;
    const { name, maxLength } = this.options;
    const reason = unsafeTextReason(value);
    if (reason) throw new BadRequestException([`${name} ${reason}`]);
    if (maxLength !== undefined && value.length > maxLength) {
      throw new BadRequestException([`${name} must be at most ${maxLength} characters`]);
    }
    return value;
  }
}
