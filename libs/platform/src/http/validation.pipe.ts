import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemException, ProblemFieldError } from './problem.exception';

/** Turns class-validator's tree into flat field paths like `charges[0].properties.tiers[1].up_to`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ProblemFieldError[] {
  const flat: ProblemFieldError[] = [];
  for (const error of errors) {
    const path = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      flat.push({ field: path, message: message.replace(/^property \S+ should not exist$/, 'is not a known field') });
    }
    if (error.children && error.children.length > 0) flat.push(...flattenValidationErrors(error.children, path));
  }
  return flat;
}

/** DTO validation for every endpoint: unknown fields rejected, errors as problem+json. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.validation(flattenValidationErrors(errors)),
  });
}
