import { Injectable } from '@nestjs/common';
import { ServiceName } from '@abaxus/platform/config/abaxus-config';
import { requestIdHeaders } from '@abaxus/platform/logging/request-id';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { sendToService } from '@abaxus/platform/service/service-transport';
import { ProxiedResponse } from '../idempotency/idempotency.service';

/** Headers a service may need from the caller; everything else stays at the edge. */
const FORWARDED_HEADERS = ['stripe-signature'];

/** Forwards a request to the owning service (in this process, or over pooled keep-alive HTTP), body bytes unchanged both ways. */
@Injectable()
export class ServiceProxy {
  constructor(private readonly directory: ServiceDirectory) {}

  async forward(
    service: ServiceName,
    method: string,
    pathAndQuery: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer | undefined,
  ): Promise<ProxiedResponse> {
    // The request id the gateway accepted or made (the caller's raw header is not passed on), and the internal credential.
    const outgoing: Record<string, string> = { ...requestIdHeaders(), ...this.directory.requestHeaders() };
    for (const name of FORWARDED_HEADERS) {
      const value = headers[name];
      if (typeof value === 'string') outgoing[name] = value;
    }
    const hasBody = body !== undefined && body.length > 0;
    if (hasBody) outgoing['content-type'] = 'application/json';
    const response = await sendToService(this.directory, service, {
      method,
      path: pathAndQuery,
      headers: outgoing,
      body: hasBody ? body : undefined,
      timeoutMs: 120_000,
    });
    const contentType = response.headers['content-type'];
    const answer =
      typeof contentType === 'string' && !/^(application\/([\w.+-]*\+)?json|text\/)/i.test(contentType) ? response.body : response.body.toString('utf8');
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.status,
      contentType: typeof contentType === 'string' ? contentType : 'application/json',
      body: answer,
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    };
  }
}
