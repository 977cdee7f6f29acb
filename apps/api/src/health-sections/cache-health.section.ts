import { Injectable } from '@nestjs/common';
import type { DeepHealthSection } from '@app/health';
import { CacheService } from '../cache/cache.service';

/** Deep health's `cache`: seed 002's hit rate and sizes, as `GET /api/v1/cache/stats` reports them (no I/O). */
@Injectable()
export class CacheHealthSection implements DeepHealthSection {
  readonly name = 'cache';
  readonly readsDatabase = false;

  constructor(private readonly cache: CacheService) {}

  collect(): Promise<Record<string, unknown>> {
    const s = this.cache.stats();
    return Promise.resolve({
      enabled: s.enabled,
      hit_rate: s.hit_rate,
      cache_hits: s.cache_hits,
      cache_misses: s.cache_misses,
      current_size_bytes: s.current_size_bytes,
      entries: s.l1.entries,
      max_entries: s.l1.max_entries,
      l2: s.l2.status,
    });
  }
}
