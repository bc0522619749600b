import { join } from 'node:path';
import { loadOpenApiDocument } from './openapi-document';
import { deref, documentedCodes, documentedResponse, Json, operationsOf, parametersOf, refsOf, resolveRef, schemaChecker } from './testing/openapi-checks';

/** Every endpoint API.md names: the document must describe each one. */
const CONTRACT_ENDPOINTS = [
  'POST /v1/metrics',
  'GET /v1/metrics',
  'GET /v1/metrics/{key}',
  'POST /v1/price-plans',
  'GET /v1/price-plans/{id}',
  'GET /v1/price-plans/{id}/versions',
  'GET /v1/price-plans/{id}/versions/{version}',
  'POST /v1/customers',
  'GET /v1/customers/{id}',
  'PATCH /v1/customers/{id}',
  'POST /v1/subscriptions',
  'GET /v1/subscriptions/{id}',
  'POST /v1/subscriptions/{id}/cancel',
  'POST /v1/events',
  'POST /v1/events/batch',
  'POST /v1/events/backfill',
  'GET /v1/usage/summary',
  'POST /v1/usage/compute',
  'GET /v1/usage/histogram',
  'POST /v1/pricing/calculate',
  'GET /v1/pricing/calculations/{id}',
  'POST /v1/invoices',
  'GET /v1/invoices',
  'GET /v1/invoices/{id}',
  'POST /v1/invoices/{id}/send-email',
  'POST /v1/invoices/{id}/charge',
  'POST /v1/invoices/{id}/archive',
  'GET /v1/invoices/{id}/pdf',
  'POST /v1/invoices/{id}/credit-notes',
  'GET /v1/settings',
  'PUT /v1/settings',
  'POST /v1/webhooks/stripe',
  'GET /health/live',
  'GET /health/ready',
  'POST /v1/webhook-endpoints',
  'GET /v1/webhook-endpoints/{id}',
  'PATCH /v1/webhook-endpoints/{id}',
  'DELETE /v1/webhook-endpoints/{id}',
  'GET /v1/webhook-endpoints/{id}/deliveries',
  'POST /v1/webhook-endpoints/{id}/deliveries/{delivery_id}/retry',
  'POST /v1/alerts',
];

const UNAUTHENTICATED = new Set([
  'POST /v1/webhooks/stripe',
  'GET /metrics',
  'GET /health/live',
  'GET /health/ready',
  'GET /openapi.json',
  'GET /openapi.yaml',
  'GET /',
  'GET /docs',
  'GET /console',
  'GET /console/{path}',
]);
const IDEMPOTENCY_CONFLICTS = ['idempotency_key_reused', 'idempotency_request_in_progress', 'idempotency_conflict'];

const endpointOf = (entry: { method: string; path: string }) => `${entry.method.toUpperCase()} ${entry.path}`;

describe('docs/openapi.yaml', () => {
  let doc: Json;

  beforeAll(async () => {
    const loaded = await loadOpenApiDocument();
    if (!loaded.ok) throw new Error(loaded.reason);
    doc = loaded.document;
  });

  it('is an OpenAPI 3.1 document with info, servers and a bearer security scheme', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info?.title).toBe('string');
    expect(typeof doc.info?.version).toBe('string');
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const requirement of doc.security) for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes[name]).toBeDefined();
  });

  it('documents every endpoint of the contract', () => {
    const documented = new Set(operationsOf(doc).map(endpointOf));
    expect(CONTRACT_ENDPOINTS.filter((endpoint) => !documented.has(endpoint))).toEqual([]);
  });

  it('gives every operation a unique operationId and described responses', () => {
    const ids = new Map<string, string>();
    const problems: string[] = [];
    for (const entry of operationsOf(doc)) {
      const { operationId, responses } = entry.operation;
      if (typeof operationId !== 'string' || operationId === '') problems.push(`${endpointOf(entry)} has no operationId`);
      else if (ids.has(operationId)) problems.push(`${operationId} is used by ${ids.get(operationId)} and ${endpointOf(entry)}`);
      else ids.set(operationId, endpointOf(entry));
      if (!responses || Object.keys(responses).length === 0) problems.push(`${endpointOf(entry)} has no responses`);
      for (const [status, raw] of Object.entries<Json>(responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${endpointOf(entry)} answers "${status}"`);
        if (typeof deref(doc, raw)?.description !== 'string') problems.push(`${endpointOf(entry)} ${status} has no description`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(100);
    const broken = refs.filter(({ ref }) => {
      try {
        resolveRef(doc, ref);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);
  });

  it('declares every path parameter of every path template, and only those', () => {
    const problems: string[] = [];
    for (const entry of operationsOf(doc)) {
      const inTemplate = [...entry.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      const declared = parametersOf(doc, entry).filter((parameter) => parameter.in === 'path');
      for (const parameter of declared)
        if (parameter.required !== true) problems.push(`${endpointOf(entry)}: path parameter ${parameter.name} is not required`);
      const names = declared.map((parameter) => parameter.name).sort();
      if (JSON.stringify(names) !== JSON.stringify(inTemplate)) problems.push(`${endpointOf(entry)} declares [${names}] for [${inTemplate}]`);
    }
    expect(problems).toEqual([]);
  });

  it('requires the API key everywhere but on the webhook, health, metrics and the document itself', () => {
    const problems: string[] = [];
    for (const entry of operationsOf(doc)) {
      const open = Array.isArray(entry.operation.security) && entry.operation.security.length === 0;
      if (UNAUTHENTICATED.has(endpointOf(entry)) !== open) problems.push(`${endpointOf(entry)} is ${open ? 'open' : 'authenticated'}`);
      if (!open && documentedCodes(doc, documentedResponse(doc, entry, 401))?.[0] !== 'unauthorized')
        problems.push(`${endpointOf(entry)} does not document 401`);
    }
    expect(problems).toEqual([]);
  });

  it('takes an Idempotency-Key on every mutating /v1 call and documents its conflicts', () => {
    const problems: string[] = [];
    for (const entry of operationsOf(doc)) {
      if (!['post', 'patch'].includes(entry.method) || !entry.path.startsWith('/v1/') || entry.path === '/v1/webhooks/stripe') continue;
      const header = parametersOf(doc, entry).find((parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key');
      if (!header) problems.push(`${endpointOf(entry)} has no Idempotency-Key header`);
      const conflicts = documentedCodes(doc, documentedResponse(doc, entry, 409)) ?? [];
      if (!IDEMPOTENCY_CONFLICTS.every((code) => conflicts.includes(code))) problems.push(`${endpointOf(entry)} 409 lacks the idempotency codes`);
      if (!documentedCodes(doc, documentedResponse(doc, entry, 400))?.includes('invalid_idempotency_key'))
        problems.push(`${endpointOf(entry)} 400 lacks invalid_idempotency_key`);
      if (!documentedCodes(doc, documentedResponse(doc, entry, 413))?.includes('payload_too_large'))
        problems.push(`${endpointOf(entry)} does not document 413`);
    }
    expect(problems).toEqual([]);
  });

  it('pages every list with limit (default 50, max 500) and starting_after', () => {
    const lists = operationsOf(doc).filter((entry) => {
      const schema = documentedResponse(doc, entry, 200)?.content?.['application/json']?.schema;
      return schema && JSON.stringify(deref(doc, schema)).includes('#/components/schemas/Page');
    });
    expect(lists.map(endpointOf).sort()).toEqual(
      [
        'GET /v1/billing-runs',
        'GET /v1/customers',
        'GET /v1/invoices',
        'GET /v1/invoices/{id}/credit-notes',
        'GET /v1/credit-notes',
        'GET /v1/metrics',
        'GET /v1/price-plans',
        'GET /v1/price-plans/{id}/versions',
        'GET /v1/subscriptions',
        'GET /v1/test-clocks',
        'GET /v1/webhook-endpoints',
        'GET /v1/webhook-endpoints/{id}/deliveries',
        'GET /v1/alerts',
        'GET /v1/coupons',
        'GET /v1/tax-rates',
      ].sort(),
    );
    for (const entry of lists) {
      const parameters = parametersOf(doc, entry);
      expect(parameters.find((parameter) => parameter.name === 'limit')?.schema).toMatchObject({ default: 50, minimum: 1, maximum: 500 });
      expect(parameters.find((parameter) => parameter.name === 'starting_after')).toBeDefined();
    }
    expect(doc.components.schemas.Page.required).toEqual(['data', 'has_more', 'next_cursor']);
  });

  it('answers every error as problem+json with the contract fields and listed codes', () => {
    const problem = doc.components.schemas.Problem;
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'detail']));
    expect(deref(doc, problem.properties.errors.items).required).toEqual(['field', 'message']);
    const problems: string[] = [];
    for (const entry of operationsOf(doc)) {
      for (const [status, raw] of Object.entries<Json>(entry.operation.responses)) {
        if (Number(status) < 400) continue;
        const response = deref(doc, raw);
        const schema = response.content?.['application/problem+json']?.schema;
        if (!schema || Object.keys(response.content).length !== 1) problems.push(`${endpointOf(entry)} ${status} is not only problem+json`);
        else if (!JSON.stringify(schema).includes('#/components/schemas/Problem')) problems.push(`${endpointOf(entry)} ${status} is not a Problem`);
        // 402 carries the payment provider's own code, which is open-ended.
        else if (status !== '402' && !documentedCodes(doc, response)?.length) problems.push(`${endpointOf(entry)} ${status} lists no code`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('writes amounts, quantities and usage as decimal strings, never JSON numbers', () => {
    const decimalFields = new Set([
      'amount',
      'total_amount',
      'unit_amount',
      'flat_amount',
      'quantity',
      'value',
      'up_to',
      'from',
      'package_size',
      'package_amount',
      'free_units',
    ]);
    const check = schemaChecker(doc);
    const found: string[] = [];
    const walk = (node: Json, at: string, depth: number): void => {
      if (depth > 12 || node === null || typeof node !== 'object') return;
      const schema = deref(doc, node);
      for (const [name, property] of Object.entries<Json>(schema.properties ?? {})) {
        // A proration's `from` is the instant it starts (API.md Part II §4), not an amount.
        if (decimalFields.has(name) && !at.endsWith('.proration')) {
          found.push(`${at}.${name}`);
          expect([`${at}.${name}`, check(property, 5).length > 0, check(property, '5').length]).toEqual([`${at}.${name}`, true, 0]);
        }
        walk(property, `${at}.${name}`, depth + 1);
      }
      for (const key of ['items', 'allOf', 'anyOf', 'oneOf']) {
        const children = Array.isArray(schema[key]) ? schema[key] : schema[key] ? [schema[key]] : [];
        for (const child of children) walk(child, at, depth + 1);
      }
    };
    for (const name of ['Calculation', 'Invoice', 'InvoicePage', 'CreditNote', 'PricePlanVersion', 'UsageValue', 'UsageHistogram'])
      walk(doc.components.schemas[name], name, 0);
    expect(found).toEqual(
      expect.arrayContaining(['Calculation.total_amount', 'Calculation.line_items.tiers.unit_amount', 'Invoice.total_amount', 'UsageValue.value']),
    );
  });

  it('has examples that fit their schemas (requests, responses, parameters)', () => {
    const check = schemaChecker(doc);
    const problems: string[] = [];
    let checked = 0;
    const checkMedia = (where: string, media: Json) => {
      if (!media?.schema) return;
      const examples: Array<[string, Json]> = [];
      if ('example' in media) examples.push(['example', media.example]);
      for (const [name, example] of Object.entries<Json>(media.examples ?? {})) examples.push([name, deref(doc, example).value]);
      for (const [name, value] of examples) {
        checked++;
        const errors = check(media.schema, value);
        if (errors.length > 0) problems.push(`${where} (${name}): ${errors.join('; ')}`);
      }
    };
    for (const entry of operationsOf(doc)) {
      const where = endpointOf(entry);
      for (const [type, media] of Object.entries<Json>(deref(doc, entry.operation.requestBody)?.content ?? {})) checkMedia(`${where} request ${type}`, media);
      for (const [status, raw] of Object.entries<Json>(entry.operation.responses)) {
        for (const [type, media] of Object.entries<Json>(deref(doc, raw).content ?? {})) checkMedia(`${where} ${status} ${type}`, media);
      }
      for (const parameter of parametersOf(doc, entry)) checkMedia(`${where} parameter ${parameter.name}`, parameter);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('refuses, as the schemas say, what the services refuse', () => {
    const check = schemaChecker(doc);
    const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(check(schema('MetricCreate'), { key: 'api_calls', aggregation_type: 'sum', unit: 'calls' })).not.toEqual([]);
    expect(check(schema('MetricCreate'), { key: '-bad', aggregation_type: 'sum' })).not.toEqual([]);
    expect(check(schema('PricePlanCreate'), { id: 'p', currency: 'USD', charges: [] })).not.toEqual([]);
    expect(
      check(schema('PricePlanCreate'), { id: 'p', currency: 'USD', charges: [{ model: 'flat_fee', metric_key: 'api_calls', properties: { amount: '1' } }] }),
    ).not.toEqual([]);
    expect(check(schema('CustomerCreate'), { id: 'c', payment_method: { provider_payment_method: 'pm_1' } })).not.toEqual([]);
    expect(check(schema('CustomerCreate'), { id: 'c', billing: { provider: 'paypal' } })).not.toEqual([]);
    expect(check(schema('EventBatch'), { events: [] })).not.toEqual([]);
    expect(check(schema('UsageEvent'), { customer_id: 'c', metric_key: 'm', timestamp: '2026-01-01T00:00:00Z' })).not.toEqual([]);
  });
});

describe('loadOpenApiDocument', () => {
  it('answers a reason, not an exception, when the file is missing', async () => {
    const loaded = await loadOpenApiDocument([join(__dirname, 'no-such-dir', 'openapi.yaml')]);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.reason).toContain('not found');
  });

  it('finds docs/openapi.yaml from the repository root and keeps its text as written', async () => {
    const loaded = await loadOpenApiDocument();
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.path.endsWith(join('docs', 'openapi.yaml'))).toBe(true);
    expect(loaded.yaml.startsWith('openapi: 3.1')).toBe(true);
    expect(JSON.parse(loaded.json)).toEqual(loaded.document);
  });
});
