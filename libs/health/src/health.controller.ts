import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ProbeResponse } from './check-result';
import { HealthService } from './health.service';

/**
 * The probes of CONTRACT §3, under the `/api` prefix. Each answers `Cache-Control: no-store`. The probes whose
 * status depends on the checks set it on the reply in passthrough mode (serialization and interceptors still
 * apply): a failing check is a 503 with the standardized body, not an exception turned into a 500.
 */
@ApiTags('probes')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health/live')
  @ApiOkResponse({ description: 'Alive (always, while the event loop turns)', schema: { type: 'object', additionalProperties: true } })
  @Header('Cache-Control', 'no-store')
  live() {
    return this.health.live();
  }

  @Get(['ready', 'health/ready'])
  @ApiOkResponse({
    description: 'Ready: database, Redis and migrations OK (standardized body, CONTRACT §3)',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiServiceUnavailableResponse({ description: 'Not ready (same body, status fail)', schema: { type: 'object', additionalProperties: true } })
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.health.ready());
  }

  @Get('health/startup')
  @ApiOkResponse({ description: 'Boot finished: as ready, plus disk and memory', schema: { type: 'object', additionalProperties: true } })
  @ApiServiceUnavailableResponse({ description: 'Not started (same body, status fail)', schema: { type: 'object', additionalProperties: true } })
  @Header('Cache-Control', 'no-store')
  async startup(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.health.startup());
  }

  @Get('health/deep')
  @ApiOkResponse({ description: 'Everything, for humans and dashboards', schema: { type: 'object', additionalProperties: true } })
  @ApiServiceUnavailableResponse({ description: 'As ready', schema: { type: 'object', additionalProperties: true } })
  @Header('Cache-Control', 'no-store')
  async deep(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.health.deep());
  }

  @Get('health')
  @ApiOkResponse({ description: 'Cheap summary, no I/O', schema: { type: 'object', additionalProperties: true } })
  @Header('Cache-Control', 'no-store')
  summary() {
    return this.health.summary();
  }

  @Get('version')
  @ApiOkResponse({ description: 'Build version, git sha, build time', schema: { type: 'object', additionalProperties: true } })
  @Header('Cache-Control', 'no-store')
  version() {
    return this.health.version();
  }
}

function send<B>(reply: FastifyReply, response: ProbeResponse<B>): B {
  reply.status(response.statusCode);
  return response.body;
}
