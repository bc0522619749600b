import { ApiResponse, startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import {
  documentedResponse,
  firstExample,
  Json,
  namedExample,
  OperationEntry,
  operationsOf,
  parametersOf,
  SchemaCheck,
  schemaChecker,
} from '@abaxus/services/api-gateway/openapi/testing/openapi-checks';

/*
 * Docs and code must not drift: the document the gateway serves is read back, its catalog
 * examples are sent to the real engine and must be accepted, and every documented operation must
 * reach a real route that answers only statuses, codes and shapes the document lists.
 */

const API_KEY = 'sk_test_openapi_docs_0001';
const CATALOG_PATHS = /^\/v1\/(metrics|price-plans|customers|subscriptions)(\/|$)/;
const INVOICING_CUSTOMER_PATHS = /^\/v1\/customers\/\{id\}\/(upcoming-invoice|auto-collection)$/;

interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The request body; `example` names one of the operation's documented request examples. */
  body?: unknown;
  example?: string;
}

describe('OpenAPI document (gateway, embedded engine)', () => {
  let engine: TestEngine;
  let doc: Json;
  let check: SchemaCheck;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'embedded', apiKeys: [API_KEY] });
    const served = await engine.api('GET', '/openapi.json', undefined, { authorization: '' });
    if (served.status !== 200) throw new Error(`GET /openapi.json answered ${served.status}: ${served.text}`);
    doc = served.body;
    check = schemaChecker(doc);
  });

  afterAll(async () => {
    await engine?.stop();
  });

  function operation(operationId: string): OperationEntry {
    const entry = operationsOf(doc).find((candidate) => candidate.operation.operationId === operationId);
    if (!entry) throw new Error(`no operation ${operationId} in the document`);
    return entry;
  }

  function send(entry: OperationEntry, options: CallOptions): Promise<ApiResponse> {
    const path = entry.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = options.params?.[name];
      if (value === undefined) throw new Error(`${entry.operation.operationId}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams(options.query ?? {}).toString();
    const content = entry.operation.requestBody?.content?.['application/json'];
    const body = options.example ? namedExample(doc, content, options.example) : options.body;
    return engine.api(entry.method.toUpperCase(), query ? `${path}?${query}` : path, body, options.headers);
  }

  /** What is wrong with an answer, measured against the document; empty when it matches. */
  function mismatches(entry: OperationEntry, response: ApiResponse): string[] {
    const at = `${entry.operation.operationId} → ${response.status} ${response.body?.code ?? ''}`.trim();
    if (response.body?.code === 'route_not_found') return [`${at}: no route behind the documented ${entry.method.toUpperCase()} ${entry.path}`];
    const documented = documentedResponse(doc, entry, response.status);
    if (!documented) return [`${at}: status not documented`];
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    const media = documented.content?.[mediaType];
    if (!media) return [`${at}: ${mediaType} not documented for this status`];
    return check(media.schema, response.body).map((error) => `${at}: body ${error}`);
  }

  async function call(operationId: string, options: CallOptions = {}): Promise<ApiResponse> {
    const entry = operation(operationId);
    const response = await send(entry, options);
    expect(mismatches(entry, response)).toEqual([]);
    return response;
  }

  /** A documented request that must succeed. */
  async function succeed(operationId: string, options: CallOptions = {}): Promise<ApiResponse> {
    const response = await call(operationId, options);
    expect([operationId, response.status, response.status < 300 ? 'ok' : response.text]).toEqual([operationId, response.status, 'ok']);
    return response;
  }

  it('accepts the documented catalog examples and answers them in the documented shapes', async () => {
    const exercised = new Set<string>();
    const ok = async (operationId: string, options: CallOptions = {}) => {
      exercised.add(operationId);
      return succeed(operationId, options);
    };

    await ok('createMetric', { example: 'contract' });
    // The every-model plan example bills two more metrics.
    await ok('createMetric', { body: { key: 'storage_gb', aggregation_type: 'max', value_type: 'decimal' } });
    await ok('createMetric', { body: { key: 'seats', aggregation_type: 'sum', value_type: 'integer' } });
    await ok('listMetrics', { query: { limit: '2' } });
    await ok('getMetric', { params: { key: 'api_calls' } });

    const plan = await ok('createPricePlanVersion', { example: 'contract' });
    expect(plan.status).toBe(201);
    await ok('createPricePlanVersion', { example: 'every_model' });
    await ok('listPricePlans');
    await ok('getPricePlan', { params: { id: 'plan_growth' } });
    await ok('listPricePlanVersions', { params: { id: 'plan_growth' } });
    await ok('getPricePlanVersion', { params: { id: 'plan_growth', version: String(plan.body.version) } });

    await ok('createCustomer', { example: 'contract' });
    await ok('listCustomers');
    await ok('getCustomer', { params: { id: 'cust_acme' } });
    await ok('updateCustomer', { params: { id: 'cust_acme' }, example: 'new_card' });
    await ok('updateCustomer', { params: { id: 'cust_acme' }, example: 'contact' });

    const scheduled = await ok('createSubscription', { example: 'contract' });
    const immediate = await ok('createSubscription', { example: 'contract' });
    await ok('listSubscriptions', { query: { customer_id: 'cust_acme' } });
    await ok('getSubscription', { params: { id: scheduled.body.id } });
    // A plan in the same currency and billing interval to change to (the example's plan_pro).
    await ok('createPricePlanVersion', { body: { id: 'plan_pro', currency: 'USD', charges: [{ model: 'flat_fee', properties: { amount: '99.00' } }] } });
    const changing = await ok('createSubscription', { example: 'contract' });
    const changed = await ok('changeSubscriptionPlan', { params: { id: changing.body.id }, example: 'now' });
    expect(changed.body.phases.map((phase: { plan_id: string }) => phase.plan_id)).toEqual(['plan_growth', 'plan_pro']);
    await ok('cancelSubscription', { params: { id: scheduled.body.id }, example: 'scheduled' });
    await ok('cancelSubscription', { params: { id: immediate.body.id }, example: 'now' });

    // Billing views under /v1/customers/{id}/… belong to invoicing (checked by the next tests).
    const catalogOperations = operationsOf(doc).filter((entry) => CATALOG_PATHS.test(entry.path) && !INVOICING_CUSTOMER_PATHS.test(entry.path));
    expect(catalogOperations.map((entry) => entry.operation.operationId).filter((id: string) => !exercised.has(id))).toEqual([]);
  });

  it('prices, issues, lists and archives an invoice in the documented shapes and codes', async () => {
    // A flat fee bills without usage, so the invoice has a total without waiting for events.
    await succeed('createPricePlanVersion', {
      body: { id: 'plan_docs_flat', currency: 'USD', charges: [{ model: 'flat_fee', properties: { amount: '29.00' } }] },
    });
    await succeed('createCustomer', { body: { id: 'cust_docs_flat', email: 'billing@docs.test' } });
    const subscription = await succeed('createSubscription', {
      body: { customer_id: 'cust_docs_flat', plan_id: 'plan_docs_flat', start_date: '2026-01-01T00:00:00Z' },
    });

    const period = {
      customer_id: 'cust_docs_flat',
      subscription_id: subscription.body.id,
      period_start: '2026-02-01T00:00:00Z',
      period_end: '2026-03-01T00:00:00Z',
    };
    const calculation = await succeed('calculatePricing', { body: period });
    expect(calculation.body.total_amount).toBe('29.00');
    await succeed('getPricingCalculation', { params: { id: calculation.body.calculation_id } });

    const cutoff = { customer_id: 'cust_docs_flat', cutoff_date: '2026-03-31T23:59:59Z' };
    const invoice = await succeed('issueInvoice', { body: cutoff });
    expect(invoice.body).toMatchObject({ status: 'issued', total_amount: '29.00', period_start: '2026-01-01T00:00:00.000Z' });
    expect((await call('issueInvoice', { body: cutoff })).body.code).toBe('already_invoiced');
    await succeed('getInvoice', { params: { id: invoice.body.id } });
    await succeed('replaceSettings', { example: 'full' });
    expect((await succeed('getSettings')).body.invoice).toEqual({
      payment_terms_days: 14,
      footer: 'Bank transfer: IBAN GB29 NWBK 6016 1331 9268 19',
      number_prefix: 'ABX',
    });
    expect((await succeed('getInvoicePdf', { params: { id: invoice.body.id } })).text.startsWith('%PDF-')).toBe(true);
    await succeed('listInvoices', { query: { customer_id: 'cust_docs_flat', status: 'issued' } });
    expect((await call('chargeInvoice', { params: { id: invoice.body.id } })).body.code).toBe('payments_not_configured');
    expect((await succeed('archiveInvoice', { params: { id: invoice.body.id } })).body.status).toBe('archived');
    expect((await call('archiveInvoice', { params: { id: invoice.body.id } })).body.code).toBe('invalid_transition');
  });

  it('manages webhook endpoints and usage alerts with the documented examples, in the documented shapes', async () => {
    // cust_acme and api_calls come from the catalog examples above.
    const created = await succeed('createWebhookEndpoint', {
      body: firstExample(doc, operation('createWebhookEndpoint').operation.requestBody.content['application/json']).value,
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id;
    await succeed('listWebhookEndpoints', { query: { status: 'enabled' } });
    expect((await succeed('getWebhookEndpoint', { params: { id } })).body).not.toHaveProperty('secret');
    await succeed('updateWebhookEndpoint', { params: { id }, example: 'events' });
    expect((await succeed('updateWebhookEndpoint', { params: { id }, example: 'enable' })).body.status).toBe('enabled');
    expect((await succeed('listWebhookDeliveries', { params: { id } })).body.data).toEqual([]);
    expect((await call('retryWebhookDelivery', { params: { id, delivery_id: 'del_none' } })).status).toBe(404);
    expect((await succeed('deleteWebhookEndpoint', { params: { id } })).body).toEqual({ id, deleted: true });

    const usageAlert = await succeed('createAlert', { example: 'usage' });
    await succeed('createAlert', { example: 'amount' });
    expect((await succeed('listAlerts', { query: { customer_id: 'cust_acme' } })).body.data).toHaveLength(2);
    await succeed('getAlert', { params: { id: usageAlert.body.id } });
    await succeed('deleteAlert', { params: { id: usageAlert.body.id } });
    const root = await engine.api('GET', '/', undefined, { authorization: '' });
    expect(mismatches(operation('getRoot'), root)).toEqual([]);
  });

  it('has a route behind every documented operation, answering only documented statuses, codes and shapes', async () => {
    const problems: string[] = [];
    for (const entry of operationsOf(doc)) {
      const options: CallOptions = { params: {}, query: {}, headers: {} };
      for (const parameter of parametersOf(doc, entry)) {
        const example = firstExample(doc, parameter);
        if (!example.found) {
          if (parameter.required) problems.push(`${entry.operation.operationId}: required parameter ${parameter.name} has no example`);
          continue;
        }
        if (parameter.in === 'path') options.params![parameter.name] = String(example.value);
        else if (parameter.in === 'query' && parameter.required) options.query![parameter.name] = String(example.value);
        else if (parameter.in === 'header' && parameter.required) options.headers![parameter.name] = String(example.value);
      }
      const content = entry.operation.requestBody?.content?.['application/json'];
      if (content) options.body = firstExample(doc, content).value ?? {};
      const open = Array.isArray(entry.operation.security) && entry.operation.security.length === 0;
      if (open) options.headers!.authorization = '';
      problems.push(...mismatches(entry, await send(entry, options)));
    }
    expect(problems).toEqual([]);
  });
});
