import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, Headers, HttpException, Logger, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException, unavailabilityReason } from '@xinyuan/common';
import { Public } from '@xinyuan/identity';
import { Format, Open311Error, Open311Service, splitFormat, toXml } from '@xinyuan/open311';

const formatOf = (url: string): Format => (/\.xml(\?|$)/i.test(url) ? 'xml' : 'json');

function send(reply: FastifyReply, status: number, format: Format, root: string, body: unknown) {
  reply
    .status(status)
    .header('content-type', format === 'xml' ? 'text/xml; charset=utf-8' : 'application/json; charset=utf-8')
    .send(format === 'xml' ? toXml(root, body) : JSON.stringify(body));
}

/** Every error of /open311/v2 in the specification's shape: [{code, description}] (or <errors> in XML). */
@Catch()
export class Open311ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Open311');

  catch(e: unknown, host: ArgumentsHost) {
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 500;
    let description = 'internal error';
    if (e instanceof Open311Error) [status, description] = [e.status, e.message];
    else if (e instanceof DomainException) [status, description] = [e.status, e.message];
    else if (e instanceof HttpException) [status, description] = [e.getStatus(), e.message];
    else if (unavailabilityReason(e)) [status, description] = [503, 'service temporarily unavailable, retry later'];
    else this.logger.error(`open311: ${(e as Error)?.message ?? e}`);
    send(reply, status, formatOf(req.url), 'errors', [{ code: status, description }]);
  }
}

/**
 * Open311 GeoReport v2 at /open311/v2, JSON and XML (the format is the file extension). The menu is
 * public; filing and reading requests take the `api_key` of an integration (POST: form-encoded).
 * Not in the OpenAPI document: its shapes are the GeoReport specification's.
 */
@ApiExcludeController()
@Public()
@UseFilters(Open311ErrorFilter)
@Controller('open311/v2')
export class Open311Controller {
  constructor(private readonly open311: Open311Service) {}

  @Get(':file')
  async root(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const f = splitFormat(file);
    if (f?.name === 'services') return send(reply, 200, f.format, 'services', await this.open311.services(query.api_key));
    if (f?.name === 'requests') return send(reply, 200, f.format, 'service_requests', await this.open311.list(query));
    throw new Open311Error(404, `${file} not found`);
  }

  @Get('services/:file')
  async definition(@Param('file') file: string, @Res() reply: FastifyReply) {
    const f = splitFormat(file);
    if (!f) throw new Open311Error(404, `${file} not found`);
    return send(reply, 200, f.format, 'service_definition', await this.open311.definition(f.name));
  }

  @Get('requests/:file')
  async one(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const f = splitFormat(file);
    if (!f) throw new Open311Error(404, `${file} not found`);
    return send(reply, 200, f.format, 'service_requests', await this.open311.one(f.name, query.api_key));
  }

  @Get('tokens/:file')
  async token(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const f = splitFormat(file);
    if (!f) throw new Open311Error(404, `${file} not found`);
    return send(reply, 200, f.format, 'service_requests', await this.open311.token(f.name, query.api_key));
  }

  @Post(':file')
  async create(@Param('file') file: string, @Req() req: FastifyRequest, @Headers('idempotency-key') idempotencyKey: string | undefined, @Res() reply: FastifyReply) {
    const f = splitFormat(file);
    if (f?.name !== 'requests') throw new Open311Error(404, `${file} not found`);
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const key = idempotencyKey && idempotencyKey.length <= 200 ? idempotencyKey : undefined;
    return send(reply, 201, f.format, 'service_requests', await this.open311.create(body, key));
  }
}
