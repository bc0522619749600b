import { ProblemBody, ProblemException } from '@abaxus/platform/http/problem.exception';
import { loadOpenApiDocument } from '../openapi/openapi-document';
import { operationsOf } from '../openapi/testing/openapi-checks';
import { matchPublicRoute, PUBLIC_ROUTES } from './public-routes';

function refusal(method: string, url: string): ProblemBody {
  try {
    matchPublicRoute(method, url);
  } catch (error) {
    if (error instanceof ProblemException) return error.problem;
    throw error;
  }
  throw new Error(`${method} ${url} matched a public route`);
}

describe('the public route table', () => {
  it('holds exactly the /v1 operations of docs/openapi.yaml, each once', async () => {
    const loaded = await loadOpenApiDocument();
    if (!loaded.ok) throw new Error(loaded.reason);
    const documented = operationsOf(loaded.document)
      .filter((entry) => entry.path.startsWith('/v1/'))
      .map((entry) => `${entry.method.toUpperCase()} ${entry.path}`)
      .sort();
    const table = PUBLIC_ROUTES.map((route) => `${route.method} ${route.template}`);
    expect(new Set(table).size).toBe(table.length);
    expect([...table].sort()).toEqual(documented);
  });

  it('gives each route the scope the contract says: events ingest, GETs and the usage and pricing reads read, the rest admin', () => {
    const byScope = (scope: string) => PUBLIC_ROUTES.filter((route) => route.scope === scope).map((route) => `${route.method} ${route.template}`);
    expect(byScope('ingest')).toEqual(['POST /v1/events', 'POST /v1/events/batch', 'POST /v1/events/backfill']);
    const gets = PUBLIC_ROUTES.filter((route) => route.method === 'GET').map((route) => `${route.method} ${route.template}`);
    expect(byScope('read').sort()).toEqual([...gets, 'POST /v1/usage/compute', 'POST /v1/pricing/calculate'].sort());
    expect(byScope('none')).toEqual(['POST /v1/webhooks/stripe']);
  });
});

describe('matchPublicRoute', () => {
  it('matches a route and forwards its path rebuilt from the decoded segments, the query as sent', () => {
    expect(matchPublicRoute('GET', '/v1/customers/cust_1/upcoming-invoice?x=1')).toMatchObject({
      route: { service: 'invoicing', template: '/v1/customers/{id}/upcoming-invoice' },
      forwardPath: '/v1/customers/cust_1/upcoming-invoice?x=1',
    });
    expect(matchPublicRoute('GET', '/v1/customers/cust%3A1/').forwardPath).toBe('/v1/customers/cust%3A1');
    expect(matchPublicRoute('GET', '/v1/%63ustomers').route.template).toBe('/v1/customers');
    expect(matchPublicRoute('POST', '/v1/usage/compute').route).toMatchObject({ service: 'aggregation', scope: 'read' });
  });

  it.each([
    ['POST', '/v1/usage/../../internal/v1/usage/billable'],
    ['GET', '/v1/customers/../metrics'],
    ['GET', '/v1/customers/./metrics'],
    ['GET', '/v1/customers/%2e%2e/metrics'],
    ['GET', '/v1/customers/%2E%2E'],
    ['POST', '/v1/usage/%2e%2e%2f%2e%2e%2finternal%2fv1%2fusage%2fbillable'],
    ['GET', '/v1/customers/a%2fb'],
    ['GET', '/v1/customers/a%5cb'],
    ['GET', '/v1/customers/%252e%252e'],
    ['GET', '/v1/customers/%252e%252e%252fmetrics'],
    ['GET', '/v1/customers/%25'],
    ['GET', '/v1/customers/%zz'],
    ['GET', '/v1//customers'],
    ['GET', '/v1/customers//'],
    ['POST', '/v1/internal/v1/usage/billable'],
    ['GET', '/v1/nothing-here'],
    ['GET', '/v1'],
  ])('refuses %s %s with 404 route_not_found', (method, url) => {
    expect(refusal(method, url)).toMatchObject({ status: 404, code: 'route_not_found' });
  });

  it('answers a known path with another method 405, naming the allowed ones', () => {
    expect(refusal('DELETE', '/v1/customers/cust_1')).toMatchObject({ status: 405, code: 'method_not_allowed', detail: expect.stringContaining('GET, PATCH') });
  });

  it.each([
    ['/v1/customers/cus%00', 'id'],
    ['/v1/webhook-endpoints/we_1/deliveries/del%00x', 'delivery_id'],
    ['/v1/customers?starting_after=%00', 'starting_after'],
    ['/v1/usage/summary?customer_id=c&metric=m%00', 'metric'],
    ['/v1/invoices?a%00=1', 'query'],
  ])('refuses a NUL in %s with 400 naming %s', (url, field) => {
    expect(refusal('GET', url)).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field }] });
  });
});
