import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ProbeResponse } from './check-result';
import { HealthService } from './health.service';

/**
 * The probes of CONTRACT §3, under the `/api` prefix. Each answers `Cache-Control: no-store`. The probes whose
 * status depends on the checks set it on the reply in passthrough mode (serialization and interceptors still
 * apply): a failing check is a 503 with the standardized body, not an exception turned into a 500.
 */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health/live')
  @Header('Cache-Control', 'no-store')
  live() {
    return this.health.live();
  }

  @Get(['ready', 'health/ready'])
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.health.ready());
  }

  @Get('health/startup')
  @Header('Cache-Control', 'no-store')
  async startup(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.health.startup());
  }

  @Get('health/deep')
  @Header('Cache-Control', 'no-store')
  async deep(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.health.deep());
  }

  @Get('health')
  @Header('Cache-Control', 'no-store')
  summary() {
    return this.health.summary();
  }

  @Get('version')
  @Header('Cache-Control', 'no-store')
  version() {
    return this.health.version();
  }
}

function send<B>(reply: FastifyReply, response: ProbeResponse<B>): B {
  reply.status(response.statusCode);
  return response.body;
}
