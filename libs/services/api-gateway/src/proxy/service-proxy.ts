import { Injectable } from '@nestjs/common';
import { Agent, request } from 'undici';
import { ServiceName } from '@abaxus/platform/config/abaxus-config';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { requestIdHeaders } from '@abaxus/platform/logging/request-id';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { ProxiedResponse } from '../idempotency/idempotency.service';

/** Headers a service may need from the caller; everything else stays at the edge. */
const FORWARDED_HEADERS = ['stripe-signature'];

/** Forwards a request to the owning service over pooled keep-alive HTTP, body bytes unchanged both ways. */
@Injectable()
export class ServiceProxy {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });

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
    let response;
    try {
      response = await request(`${this.directory.urlOf(service)}${pathAndQuery}`, {
        method: method as 'GET',
        headers: outgoing,
        body: hasBody ? body : undefined,
        dispatcher: this.agent,
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
    } catch (error) {
      if (error instanceof ProblemException) throw error;
      throw new ProblemException(503, 'service_unavailable', `The ${service} service cannot be reached.`);
    }
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const contentType = response.headers['content-type'];
    const answer = typeof contentType === 'string' && !/^(application\/([\w.+-]*\+)?json|text\/)/i.test(contentType) ? bytes : bytes.toString('utf8');
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.statusCode,
      contentType: typeof contentType === 'string' ? contentType : 'application/json',
      body: answer,
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    };
  }
}
