import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { HttpErrorDto } from './http-error.dto';

/** The error responses of one operation, each with Nest's error body as its schema. */
export function ApiErrors(responses: Record<number, string>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(responses).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: HttpErrorDto }),
    ),
  );
}

/**
 * The 400 any route answers, whatever its parameters: a body the JSON parser cannot read (or
 * a request Nest cannot route) comes back with Nest's error body before the handler runs.
 */
export const UNREADABLE_REQUEST = { 400: 'The request could not be read (a malformed JSON body)' };
