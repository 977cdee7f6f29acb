import type { ArgumentMetadata } from '@nestjs/common';
import { IsString } from 'class-validator';
import { ValidationFailedException } from './api-errors';
import { createValidationPipe, flattenValidationErrors } from './validation.pipe';

class NameDto {
  @IsString()
  name: string;
}

const body: ArgumentMetadata = { type: 'body', metatype: NameDto };

async function errorsOf(value: unknown): Promise<Record<string, string[]>> {
  try {
    await createValidationPipe().transform(value, body);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailedException);
    return (e as ValidationFailedException).errors;
  }
  throw new Error('expected a validation failure');
}

describe('the global validation pipe', () => {
  it('strips the property name from each message (the map key says it)', async () => {
    expect(await errorsOf({ name: 5 })).toEqual({ name: ['must be a string'] });
  });

  it('answers an unknown key of a megabyte quickly, clipped, without building a RegExp from it', async () => {
    const huge = 'k('.repeat(500_000);
    const started = Date.now();
    const errors = await errorsOf({ name: 'x', [huge]: 1 });
    expect(Date.now() - started).toBeLessThan(1000);
    const keys = Object.keys(errors);
    expect(keys).toHaveLength(1);
    expect(keys[0].length).toBeLessThanOrEqual(201);
    expect(errors[keys[0]]).toHaveLength(1);
    expect(errors[keys[0]][0]).toMatch(/^property k\(k\(.{190,}… should not exist$/);
    expect(errors[keys[0]][0].length).toBeLessThan(260);
  });

  it('flattens nested errors into dotted paths', () => {
    expect(flattenValidationErrors([{ property: 'alerts', children: [{ property: '0', constraints: { x: '0 must be an object' }, children: [] }] }])).toEqual({
      'alerts.0': ['must be an object'],
    });
  });
});
