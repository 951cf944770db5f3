import { Injectable, Optional, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { ValidatorOptions } from 'class-validator';
import { compiledCheck, DtoClass } from './compiled-validation';

/**
 * Nest's `ValidationPipe`, with the same options, that skips class-validator when the compiled
 * check (`compiledCheck`) says it would find no error: the transformed value is the same, and
 * anything else (an error, an unsupported rule or option) goes to class-validator as before,
 * so the 400 and its messages are those of `ValidationPipe`.
 */
@Injectable()
export class CompiledValidationPipe extends ValidationPipe {
  /** The compiled rules are those of the class-validator this library imports. */
  private readonly usesOwnValidator: boolean;

  constructor(@Optional() options?: ValidationPipeOptions) {
    super(options);
    this.usesOwnValidator = options?.validatorPackage === undefined;
  }

  protected override validate(object: object, validatorOptions?: ValidatorOptions) {
    if (this.usesOwnValidator) {
      const check = compiledCheck(object.constructor as DtoClass, validatorOptions);
      if (check?.(object)) return [];
    }
    return super.validate(object, validatorOptions);
  }
}
