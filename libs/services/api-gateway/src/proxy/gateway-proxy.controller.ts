import { All, Controller, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RequestWithRawBody } from '@abaxus/platform/http/json-body.middleware';
import { screenJsonBody } from '../admission/body-screen';
import { RequestWithAdmission } from '../admission/gateway-admission';
import { IdempotencyService, ProxiedResponse } from '../idempotency/idempotency.service';
import { GatewayMetrics } from '../prometheus/gateway-metrics';
import { ServiceProxy } from './service-proxy';

/** The HTTP edge of /v1 once GatewayAdmission let the request in: screen the body, apply Idempotency-Key, forward to the owning service. */
@Controller('v1')
export class GatewayProxyController {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly proxy: ServiceProxy,
    private readonly metrics: GatewayMetrics,
  ) {}

  @All('*path')
  async handle(@Req() req: RequestWithRawBody & RequestWithAdmission, @Res() res: Response): Promise<void> {
    const startedAt = process.hrtime.bigint();
    // Admission runs before every /v1 request reaches a controller; this request passed it.
    const { matched, caller } = req.admission!;
    const service = matched.route.service;
    const path = matched.forwardPath;
    const body = req.rawBody;
    screenJsonBody(body);
    const forward = () => this.proxy.forward(service, req.method, path, req.headers, body);
    const key = req.headers['idempotency-key'];
    const result: ProxiedResponse =
      (req.method === 'POST' || req.method === 'PATCH') && typeof key === 'string'
        ? await this.idempotency.run(caller?.id ?? 'webhook', key, req.method, path, body ?? Buffer.alloc(0), forward)
        : await forward();
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    if (result.retryAfter) res.setHeader('Retry-After', result.retryAfter);
    this.metrics.observe(service, req.method, result.status, startedAt);
    res.status(result.status).type(result.contentType).send(result.body);
  }
}
