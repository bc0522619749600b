import type { Response } from 'express';
import { RequestWithRawBody } from '@abaxus/platform/http/json-body.middleware';
import { problemOf } from '@abaxus/platform/testing/problem-of';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { IdempotencyService, ProxiedResponse } from '../idempotency/idempotency.service';
import { GatewayMetrics } from '../prometheus/gateway-metrics';
import { GatewayProxyController } from './gateway-proxy.controller';
import { ServiceProxy } from './service-proxy';

const KEY = 'sk_test_proxy_key_0001';

/** What the controller wrote to the response. */
class RecordedResponse {
  status = 0;
  contentType = '';
  body = '';
  readonly headers: Record<string, string> = {};

  asResponse(): Response {
    const res = {
      setHeader: (name: string, value: string) => (this.headers[name.toLowerCase()] = value),
      status: (status: number) => {
        this.status = status;
        return res;
      },
      type: (type: string) => {
        this.contentType = type;
        return res;
      },
      send: (body: string) => {
        this.body = body;
        return res;
      },
    };
    return res as unknown as Response;
  }
}

function request(method: string, url: string, headers: Record<string, string> = {}, body?: string): RequestWithRawBody {
  return { method, originalUrl: url, path: url.split('?')[0], headers, rawBody: body === undefined ? undefined : Buffer.from(body) } as RequestWithRawBody;
}

describe('GatewayProxyController', () => {
  let forwards: Array<{ service: string; method: string; path: string; body: string | undefined }>;
  let idempotentRuns: Array<{ scope: string; key: string }>;
  let observed: Array<[string, string, number]>;
  let reply: ProxiedResponse;
  let controller: GatewayProxyController;

  beforeEach(() => {
    forwards = [];
    idempotentRuns = [];
    observed = [];
    reply = { status: 200, contentType: 'application/json', body: '{"ok":true}' };
    const proxy = {
      forward: async (service: string, method: string, path: string, _headers: unknown, body: Buffer | undefined) => {
        forwards.push({ service, method, path, body: body?.toString() });
        return reply;
      },
    };
    const idempotency = {
      run: async (scope: string, key: string, _method: string, _path: string, _body: Buffer, forward: () => Promise<ProxiedResponse>) => {
        idempotentRuns.push({ scope, key });
        return { ...(await forward()), replayed: true };
      },
    };
    const metrics = { observe: (service: string, method: string, status: number) => observed.push([service, method, status]) };
    controller = new GatewayProxyController(
      new ApiKeyAuthenticator([KEY]),
      idempotency as unknown as IdempotencyService,
      proxy as unknown as ServiceProxy,
      metrics as unknown as GatewayMetrics,
    );
  });

  it('refuses a request without a valid key with 401 and a Bearer challenge, forwarding and counting nothing', async () => {
    for (const authorization of [undefined, 'Bearer sk_wrong', `Basic ${KEY}`]) {
      const res = new RecordedResponse();
      const problem = await problemOf(controller.handle(request('GET', '/v1/metrics', authorization ? { authorization } : {}), res.asResponse()));
      expect(problem).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect([forwards, observed]).toEqual([[], []]);
  });

  it('forwards to the owning service with the path and query, and writes its answer', async () => {
    const res = new RecordedResponse();
    await controller.handle(request('POST', '/v1/events/batch?dry=1', { authorization: `Bearer ${KEY}` }, '{"events":[]}'), res.asResponse());
    expect(forwards).toEqual([{ service: 'ingestion', method: 'POST', path: '/v1/events/batch?dry=1', body: '{"events":[]}' }]);
    expect([res.status, res.contentType, res.body]).toEqual([200, 'application/json', '{"ok":true}']);
    expect(observed).toEqual([['ingestion', 'POST', 200]]);
  });

  it('lets the Stripe webhook through without a key', async () => {
    await controller.handle(request('POST', '/v1/webhooks/stripe', {}, '{}'), new RecordedResponse().asResponse());
    expect(forwards.map((forward) => forward.service)).toEqual(['invoicing']);
  });

  it('answers 404 route_not_found for a resource no service owns', async () => {
    expect(
      await problemOf(controller.handle(request('GET', '/v1/nothing', { authorization: `Bearer ${KEY}` }), new RecordedResponse().asResponse())),
    ).toMatchObject({ status: 404, code: 'route_not_found' });
    expect(forwards).toEqual([]);
  });

  it('applies Idempotency-Key to POST and PATCH only, scoped by the API key, and marks a replay', async () => {
    const headers = { authorization: `Bearer ${KEY}`, 'idempotency-key': 'k1' };
    const post = new RecordedResponse();
    await controller.handle(request('POST', '/v1/customers', headers, '{}'), post.asResponse());
    await controller.handle(request('PATCH', '/v1/customers/cust_1', headers, '{}'), new RecordedResponse().asResponse());
    const get = new RecordedResponse();
    await controller.handle(request('GET', '/v1/customers/cust_1', headers), get.asResponse());
    const scope = new ApiKeyAuthenticator([KEY]).authenticate(`Bearer ${KEY}`);
    expect(idempotentRuns).toEqual([
      { scope, key: 'k1' },
      { scope, key: 'k1' },
    ]);
    expect(post.headers['idempotent-replayed']).toBe('true');
    expect(get.headers['idempotent-replayed']).toBeUndefined();
    expect(forwards).toHaveLength(3);
  });
});
