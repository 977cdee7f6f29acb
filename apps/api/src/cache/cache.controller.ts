import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { CacheInvalidateResultDto, CacheStatsDto, CacheWarmResultDto } from '../openapi/api-responses';
import { CacheService } from './cache.service';
import { InvalidateCacheDto } from './dto/invalidate-cache.dto';

/** Seed 002's cache endpoints; scope `cache:admin` (or `admin`). */
@ApiTags('cache')
@Controller('v1/cache')
export class CacheController {
  constructor(private readonly cache: CacheService) {}

  @Get('stats')
  @RequireScope('cache:admin')
  @ApiOkResponse({ description: "This process's figures; a hit is an L1 or L2 hit, a miss a database read", type: CacheStatsDto })
  stats() {
    return this.cache.stats();
  }

  @Post('warm')
  @HttpCode(200)
  @RequireScope('cache:admin')
  @ApiOkResponse({ description: 'The hot reads were loaded into the cache', type: CacheWarmResultDto })
  warm() {
    return this.cache.warm();
  }

  @Post('invalidate')
  @HttpCode(200)
  @RequireScope('cache:admin')
  // The body is optional: none (or `{}`) drops everything.
  @ApiBody({ type: InvalidateCacheDto, required: false })
  @ApiOkResponse({ description: 'Dropped from L1 and L2, and published to the other processes', type: CacheInvalidateResultDto })
  invalidate(@Body() dto: InvalidateCacheDto) {
    return this.cache.invalidate(dto ?? {});
  }
}
