import { All, Controller, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { RequestWithRawBody } from '@abaxus/platform/http/json-body.middleware';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { IdempotencyService, ProxiedResponse } from '../idempotency/idempotency.service';
import { GatewayMetrics } from '../prometheus/gateway-metrics';
import { isUnauthenticatedPath, serviceForPath } from './service-routes';
import { ServiceProxy } from './service-proxy';

/** The HTTP edge of /v1: authenticate, apply Idempotency-Key, forward to the owning service. */
@Controller('v1')
export class GatewayProxyController {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly idempotency: IdempotencyService,
    private readonly proxy: ServiceProxy,
    private readonly metrics: GatewayMetrics,
  ) {}

  @All('*path')
  async handle(@Req() req: RequestWithRawBody, @Res() res: Response): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const path = req.originalUrl;
    let scope: string | undefined = 'webhook';
    if (!isUnauthenticatedPath(path)) {
      scope = this.authenticator.authenticate(req.headers.authorization);
      if (!scope) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new ProblemException(401, 'unauthorized', 'A valid API key is required: send it as "Authorization: Bearer <key>".');
      }
    }
    const service = serviceForPath(path);
    if (!service) throw new ProblemException(404, 'route_not_found', `No resource at ${req.method} ${req.path}.`);
    const body = req.rawBody;
    const forward = () => this.proxy.forward(service, req.method, path, req.headers, body);
    const key = req.headers['idempotency-key'];
    const result: ProxiedResponse =
      (req.method === 'POST' || req.method === 'PATCH') && typeof key === 'string'
        ? await this.idempotency.run(scope, key, req.method, path, body ?? Buffer.alloc(0), forward)
        : await forward();
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    if (result.retryAfter) res.setHeader('Retry-After', result.retryAfter);
    this.metrics.observe(service, req.method, result.status, startedAt);
    res.status(result.status).type(result.contentType).send(result.body);
  }
}
