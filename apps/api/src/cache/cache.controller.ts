import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { RequireScope } from '../auth/require-scope.decorator';
import { CacheService } from './cache.service';
import { InvalidateCacheDto } from './dto/invalidate-cache.dto';

/** Seed 002's cache endpoints; scope `cache:admin` (or `admin`). */
@Controller('v1/cache')
export class CacheController {
  constructor(private readonly cache: CacheService) {}

  @Get('stats')
  @RequireScope('cache:admin')
  stats() {
    return this.cache.stats();
  }

  @Post('warm')
  @HttpCode(200)
  @RequireScope('cache:admin')
  warm() {
    return this.cache.warm();
  }

  @Post('invalidate')
  @HttpCode(200)
  @RequireScope('cache:admin')
  invalidate(@Body() dto: InvalidateCacheDto) {
    return this.cache.invalidate(dto ?? {});
  }
}
