import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { CACHE_NAMESPACES, type CacheNamespace } from '@app/cache';

/** Nothing: everything. A namespace: all of it. A namespace and a key: that entry (a key alone is refused). */
export class InvalidateCacheDto {
  @ApiPropertyOptional({ enum: CACHE_NAMESPACES, description: 'Absent: every namespace' })
  @IsOptional()
  @IsIn(CACHE_NAMESPACES)
  namespace?: CacheNamespace;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: 'One entry of `namespace` (needs it); absent: the whole namespace' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  key?: string;
}
