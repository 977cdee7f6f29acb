import { BadRequestException, NotFoundException } from '@nestjs/common';

/** Per-field messages: `{ "url": ["must be an http or https URL"] }`. */
export type FieldErrors = Record<string, string[]>;

/** 400 with a per-field map; the one shape every validation failure takes. */
export class ValidationFailedException extends BadRequestException {
  constructor(readonly errors: FieldErrors) {
    super({ message: 'validation failed', errors });
  }

  static field(field: string, message: string): ValidationFailedException {
    return new ValidationFailedException({ [field]: [message] });
  }
}

export class ResourceNotFoundException extends NotFoundException {
  constructor(kind: string, id: string) {
    super(`${kind} ${id} not found`);
  }
}
