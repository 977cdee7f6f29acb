import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorBody } from './global-exception.filter';

/** The error body of every 4xx/5xx (GlobalExceptionFilter), for the OpenAPI document. */
export class ApiErrorDto implements ErrorBody {
  @ApiProperty({ example: 429 })
  statusCode: number;

  @ApiProperty({ example: 'Too Many Requests' })
  error: string;

  @ApiProperty({ example: 'rate limit exceeded: 100 requests per 60 s; retry after 42 s' })
  message: string;

  @ApiPropertyOptional({
    description: 'Validation errors: field path → messages',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { title: ['title must be a string'] },
  })
  errors?: Record<string, string[]>;

  @ApiPropertyOptional({ description: 'Correlation id, also in the X-Request-Id header', example: '5f0c6a1e-3a7b-4b7e-9a55-0b8f7b0f6c1d' })
  request_id?: string;
}
