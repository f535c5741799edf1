import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemDetails } from '@acme/grpc-kit';
import { Readiness } from './readiness';

const UPSTREAMS = { type: 'object', additionalProperties: { type: 'string' }, example: { 'user-service': 'SERVING', 'order-service': 'SERVING' } };

/** Probes for orchestrators: liveness never touches an upstream, readiness asks both. */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @Get('healthz')
  @ApiOperation({ operationId: 'healthz', summary: 'Liveness: the process answers (no upstream is called)' })
  @ApiResponse({ status: 200, description: 'Alive.', schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ operationId: 'readyz', summary: 'Readiness: both upstreams report SERVING' })
  @ApiResponse({ status: 200, description: 'Ready.', schema: { type: 'object', properties: { status: { type: 'string', example: 'ready' }, upstreams: UPSTREAMS } } })
  @ApiResponse({
    status: 503,
    description: 'Not ready; detail names the upstream that is not SERVING.',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
  })
  async readyz(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const report = await this.readiness.check();
    if (report.ready) {
      await reply.send({ status: 'ready', upstreams: report.upstreams });
      return;
    }
    const problem = problemDetails(503, `not ready: ${report.reason}`, { instance: '/readyz', requestId: request.id, upstreams: report.upstreams });
    await reply.status(503).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
