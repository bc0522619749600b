import { ServiceName } from '@abaxus/platform/config/abaxus-config';
import { ApiKeyScope } from '@abaxus/platform/config/api-key-grants';
import { ProblemException } from '@abaxus/platform/http/problem.exception';

/**
 * What an API key may call: `ingest` the event endpoints, `read` every GET and the usage and
 * pricing reads, `admin` everything. `none`: reached without a key (verified otherwise).
 */
export type RouteScope = ApiKeyScope | 'none';

export interface PublicRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The path as docs/openapi.yaml writes it, `{name}` for one path segment. */
  template: string;
  service: ServiceName;
  scope: RouteScope;
}

function route(method: PublicRoute['method'], template: string, service: ServiceName, scope?: RouteScope): PublicRoute {
  return { method, template, service, scope: scope ?? (method === 'GET' ? 'read' : 'admin') };
}

/**
 * Every /v1 operation of docs/openapi.yaml (a unit spec keeps the two equal) and the service that
 * owns it: the gateway forwards these and nothing else, so no internal endpoint is reachable.
 */
export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  route('POST', '/v1/metrics', 'catalog'),
  route('GET', '/v1/metrics', 'catalog'),
  route('GET', '/v1/metrics/{key}', 'catalog'),
  route('POST', '/v1/price-plans', 'catalog'),
  route('GET', '/v1/price-plans', 'catalog'),
  route('GET', '/v1/price-plans/{id}', 'catalog'),
  route('GET', '/v1/price-plans/{id}/versions', 'catalog'),
  route('GET', '/v1/price-plans/{id}/versions/{version}', 'catalog'),
  route('POST', '/v1/customers', 'catalog'),
  route('GET', '/v1/customers', 'catalog'),
  route('GET', '/v1/customers/{id}', 'catalog'),
  route('PATCH', '/v1/customers/{id}', 'catalog'),
  route('GET', '/v1/customers/{id}/upcoming-invoice', 'invoicing'),
  route('GET', '/v1/customers/{id}/auto-collection', 'invoicing'),
  route('PUT', '/v1/customers/{id}/auto-collection', 'invoicing'),
  route('POST', '/v1/customers/{id}/credit-grants', 'invoicing'),
  route('POST', '/v1/customers/{id}/credit-grants/{grant_id}/void', 'invoicing'),
  route('GET', '/v1/customers/{id}/credit-balance', 'invoicing'),
  route('POST', '/v1/customers/{id}/discounts', 'invoicing'),
  route('POST', '/v1/subscriptions', 'catalog'),
  route('GET', '/v1/subscriptions', 'catalog'),
  route('GET', '/v1/subscriptions/{id}', 'catalog'),
  route('POST', '/v1/subscriptions/{id}/cancel', 'catalog'),
  route('POST', '/v1/subscriptions/{id}/change', 'catalog'),
  route('POST', '/v1/events', 'ingestion', 'ingest'),
  route('POST', '/v1/events/batch', 'ingestion', 'ingest'),
  route('POST', '/v1/events/backfill', 'ingestion', 'ingest'),
  route('GET', '/v1/usage/summary', 'aggregation'),
  route('POST', '/v1/usage/compute', 'aggregation', 'read'),
  route('GET', '/v1/usage/histogram', 'aggregation'),
  route('POST', '/v1/pricing/calculate', 'pricing', 'read'),
  route('GET', '/v1/pricing/calculations/{id}', 'pricing'),
  route('POST', '/v1/invoices', 'invoicing'),
  route('GET', '/v1/invoices', 'invoicing'),
  route('GET', '/v1/invoices/{id}', 'invoicing'),
  route('POST', '/v1/invoices/{id}/send-email', 'invoicing'),
  route('POST', '/v1/invoices/{id}/charge', 'invoicing'),
  route('POST', '/v1/invoices/{id}/archive', 'invoicing'),
  route('POST', '/v1/invoices/{id}/void', 'invoicing'),
  route('GET', '/v1/invoices/{id}/pdf', 'invoicing'),
  route('POST', '/v1/invoices/{id}/credit-notes', 'invoicing'),
  route('GET', '/v1/invoices/{id}/credit-notes', 'invoicing'),
  route('GET', '/v1/credit-notes', 'invoicing'),
  route('GET', '/v1/credit-notes/{id}', 'invoicing'),
  route('POST', '/v1/credit-notes/{id}/refund', 'invoicing'),
  route('GET', '/v1/credit-notes/{id}/pdf', 'invoicing'),
  route('POST', '/v1/credit-notes/{id}/send-email', 'invoicing'),
  route('GET', '/v1/billing-runs', 'invoicing'),
  route('POST', '/v1/test-clocks', 'invoicing'),
  route('GET', '/v1/test-clocks', 'invoicing'),
  route('GET', '/v1/test-clocks/{id}', 'invoicing'),
  route('POST', '/v1/test-clocks/{id}/advance', 'invoicing'),
  route('POST', '/v1/coupons', 'invoicing'),
  route('GET', '/v1/coupons', 'invoicing'),
  route('GET', '/v1/coupons/{id}', 'invoicing'),
  route('POST', '/v1/tax-rates', 'invoicing'),
  route('GET', '/v1/tax-rates', 'invoicing'),
  route('GET', '/v1/tax-rates/{id}', 'invoicing'),
  route('GET', '/v1/settings', 'invoicing'),
  route('PUT', '/v1/settings', 'invoicing'),
  route('POST', '/v1/webhooks/stripe', 'invoicing', 'none'),
  route('POST', '/v1/webhook-endpoints', 'notifications'),
  route('GET', '/v1/webhook-endpoints', 'notifications'),
  route('GET', '/v1/webhook-endpoints/{id}', 'notifications'),
  route('PATCH', '/v1/webhook-endpoints/{id}', 'notifications'),
  route('DELETE', '/v1/webhook-endpoints/{id}', 'notifications'),
  route('GET', '/v1/webhook-endpoints/{id}/deliveries', 'notifications'),
  route('GET', '/v1/webhook-endpoints/{id}/deliveries/{delivery_id}', 'notifications'),
  route('POST', '/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/retry', 'notifications'),
  route('POST', '/v1/alerts', 'notifications'),
  route('GET', '/v1/alerts', 'notifications'),
  route('GET', '/v1/alerts/{id}', 'notifications'),
  route('DELETE', '/v1/alerts/{id}', 'notifications'),
];

export interface MatchedRoute {
  route: PublicRoute;
  /** The path rebuilt from the decoded segments, each encoded again, with the query as sent. */
  forwardPath: string;
}

function routeNotFound(method: string, path: string): ProblemException {
  return new ProblemException(404, 'route_not_found', `No resource at ${method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}.`);
}

/** A NUL cannot be stored (PostgreSQL text refuses it) and has no meaning in any field: refused, naming where it was. */
function refuseNul(value: string, field: string): void {
  if (value.includes('\u0000')) {
    throw ProblemException.validation([{ field, message: 'must not contain the NUL character (\\u0000)' }], `${field} contains a NUL character.`);
  }
}

/**
 * One segment as the owning service will read it, or undefined when it cannot be a name of ours:
 * dot segments, an encoded slash or backslash, or anything still percent-encoded after one
 * decoding (a double-encoded `..` or `/`). URL parsers resolve `..` and `%2e%2e` before routing,
 * so such a segment could reach another route than the one matched here.
 */
function decodeSegment(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded === '' || decoded === '.' || decoded === '..' || /[/\\%]/.test(decoded)) return undefined;
  return decoded;
}

/** Query names and values as the services will decode them: a NUL anywhere is refused by name. */
function refuseNulInQuery(query: string): void {
  if (query === '') return;
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    const rawName = equals < 0 ? part : part.slice(0, equals);
    const rawValue = equals < 0 ? '' : part.slice(equals + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      // The services read malformed percent-encoding as it is; it carries no NUL.
      continue;
    }
    refuseNul(name, 'query');
    refuseNul(value, name);
  }
}

const TEMPLATES = PUBLIC_ROUTES.map((candidate) => ({ route: candidate, segments: candidate.template.split('/').slice(1) }));

/**
 * Matches a request against the public route table before anything is forwarded: 404 for a path
 * of no public route (or one that only normalisation would make one), 405 for a known path with
 * another method, 400 for a NUL in a path segment or a query value.
 */
export function matchPublicRoute(method: string, originalUrl: string): MatchedRoute {
  const queryAt = originalUrl.indexOf('?');
  const rawPath = queryAt < 0 ? originalUrl : originalUrl.slice(0, queryAt);
  const query = queryAt < 0 ? '' : originalUrl.slice(queryAt + 1);
  // One trailing slash is tolerated, as the services' router does; nothing else is rewritten.
  const rawSegments = rawPath
    .replace(/(.)\/$/, '$1')
    .split('/')
    .slice(1);
  const decoded: Array<string | undefined> = rawSegments.map(decodeSegment);
  const allowed: string[] = [];
  for (const { route: candidate, segments } of TEMPLATES) {
    if (segments.length !== decoded.length) continue;
    const params: Array<[string, string]> = [];
    let matches = true;
    for (let i = 0; i < segments.length && matches; i++) {
      const segment = segments[i];
      if (segment.startsWith('{')) {
        if (decoded[i] === undefined) matches = false;
        else params.push([segment.slice(1, -1), decoded[i]!]);
      } else if (decoded[i] !== segment) matches = false;
    }
    if (!matches) continue;
    if (candidate.method !== method) {
      allowed.push(candidate.method);
      continue;
    }
    for (const [name, value] of params) refuseNul(value, name);
    refuseNulInQuery(query);
    const rebuilt = segments.map((segment, i) => (segment.startsWith('{') ? encodeURIComponent(decoded[i]!) : segment));
    return { route: candidate, forwardPath: `/${rebuilt.join('/')}${query === '' ? '' : `?${query}`}` };
  }
  if (allowed.length > 0) {
    const problem = new ProblemException(405, 'method_not_allowed', `${method} is not allowed on ${rawPath}; allowed: ${allowed.join(', ')}.`);
    problem.headers.Allow = allowed.join(', ');
    throw problem;
  }
  throw routeNotFound(method, rawPath);
}
