import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { CACHE_NAMESPACES, type CacheNamespace } from '@app/cache';

/** Nothing: everything. A namespace: all of it. A namespace and a key: that entry (a key alone is refused). */
export class InvalidateCacheDto {
  @IsOptional()
  @IsIn(CACHE_NAMESPACES)
  namespace?: CacheNamespace;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  key?: string;
}
