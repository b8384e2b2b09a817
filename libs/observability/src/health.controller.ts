import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '@xinyuan/config';
import { AuthRedis, Public } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';
import { ProbeComponent, ProbeResult } from './health.views';
import { Readiness } from './readiness';

export const OBSERVED_APP = Symbol('OBSERVED_APP');

/**
 * Probes (@nestjs/terminus). Liveness: the process answers (restart it if not). Readiness: Postgres
 * and Redis answer within HEALTH_CHECK_TIMEOUT_MS and the process is not shutting down; 503
 * otherwise, so load balancers and Kubernetes stop sending it traffic until it recovers.
 */
@ApiTags('health')
@ApiExtraModels(ProbeComponent)
@Controller('health')
export class HealthProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly authRedis: AuthRedis,
    private readonly readiness: Readiness,
    private readonly config: AppConfig,
    @Inject(OBSERVED_APP) private readonly app: string,
    // the apps that carry work ping the queue's Redis; the rating service (no queue) the identity store's
    @Optional() private readonly queue?: DispatchQueue,
  ) {}

  @Public()
  @Get('live')
  @ApiOkResponse({ type: ProbeResult, description: 'the process serves' })
  async live(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.run(reply, []);
  }

  @Public()
  @Get('ready')
  @ApiOkResponse({ type: ProbeResult, description: 'Postgres and Redis answer and the process is not shutting down' })
  @ApiServiceUnavailableResponse({ type: ProbeResult, description: 'not ready: a dependency is down, or the process is draining' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const timeout = this.config.HEALTH_CHECK_TIMEOUT_MS;
    return this.run(reply, [
      () => this.typeorm.pingCheck('postgres').withTimeout(timeout),
      () => this.indicators.check('redis').attempt(async () => {
        await (this.queue?.connection ?? this.authRedis.client).ping();
      }).withTimeout(timeout),
      (): HealthIndicatorResult<'shutdown'> =>
        this.readiness.shuttingDown ? this.indicators.check('shutdown').down('draining') : this.indicators.check('shutdown').up(),
    ]);
  }

  private async run(reply: FastifyReply, checks: Parameters<HealthCheckService['check']>[0]) {
    try {
      const result = await this.health.check(checks);
      return { status: 'ok' as const, app: this.app, details: result.details as Record<string, ProbeComponent> };
    } catch (e) {
      const body = (e as { getResponse?: () => { details?: Record<string, ProbeComponent> } }).getResponse?.();
      reply.status(503);
      reply.header('Retry-After', '1');
      return { status: 'error' as const, app: this.app, details: body?.details ?? {} };
    }
  }
}
