#!/usr/bin/env node
// The README's overview flow through a running gateway, checking every answer:
//   node deploy/containers/overview-flow.js <gateway URL> <API key>
// metric → tiered plan → customer → subscription → usage events (one single, one batch, one retry of
// the single) → strong usage compute (85000) → pricing (47.50, tier by tier) → invoice (47.50).
// Prints one line per step with its time; exits 1 on the first answer that is not the expected one.
'use strict';

const [gateway, apiKey] = process.argv.slice(2);
if (!gateway || !apiKey) {
  console.error('usage: overview-flow.js <gateway URL> <API key>');
  process.exit(2);
}

const PERIOD = { period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };

async function call(method, path, body, expectedStatus) {
  const started = Date.now();
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  const answer = text === '' ? undefined : JSON.parse(text);
  if (response.status !== expectedStatus) throw new Error(`${method} ${path} answered ${response.status}, expected ${expectedStatus}: ${text.slice(0, 800)}`);
  console.log(`overview: ${method} ${path} → ${response.status} (${Date.now() - started} ms)`);
  return answer;
}

function expectEqual(what, actual, expected) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

async function main() {
  await call('POST', '/v1/metrics', { key: 'api_calls', aggregation_type: 'sum', value_type: 'integer' }, 201);
  const plan = await call(
    'POST',
    '/v1/price-plans',
    {
      id: 'plan_growth',
      currency: 'USD',
      charges: [
        {
          metric_key: 'api_calls',
          model: 'tiered',
          properties: {
            tiers: [
              { up_to: 10000, unit_amount: '0.001' },
              { up_to: null, unit_amount: '0.0005' },
            ],
          },
        },
      ],
    },
    201,
  );
  expectEqual('plan version', plan.version, 1);
  await call(
    'POST',
    '/v1/customers',
    { id: 'cust_acme', billing: { provider: 'stripe' }, payment_method: { provider_customer_id: 'cus_xxx', provider_payment_method: 'pm_xxx' } },
    201,
  );
  const subscription = await call('POST', '/v1/subscriptions', { customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: '2026-01-01T00:00:00Z' }, 201);
  expectEqual('subscription', [subscription.status, subscription.plan_version], ['active', 1]);

  const event = (key, value, timestamp) => ({
    customer_id: 'cust_acme',
    subscription_id: subscription.id,
    metric_key: 'api_calls',
    value,
    timestamp,
    idempotency_key: key,
    properties: { region: 'us-east-1' },
  });
  const single = event('evt_req_abc123', '60000', '2026-03-17T14:00:00Z');
  expectEqual('single event', await call('POST', '/v1/events', single, 202), { idempotency_key: 'evt_req_abc123', status: 'accepted' });
  const batch = await call('POST', '/v1/events/batch', { events: [1, 2, 3, 4, 5].map((n) => event(`evt_batch_${n}`, '5000', `2026-03-2${n}T10:00:00Z`)) }, 207);
  expectEqual('batch results', batch.results.length, 5);
  // A client's retry of the single event: answered the same, counted once.
  expectEqual('retried event', await call('POST', '/v1/events', single, 202), { idempotency_key: 'evt_req_abc123', status: 'accepted' });

  const usage = await call('POST', '/v1/usage/compute', { customer_id: 'cust_acme', metric_key: 'api_calls', ...PERIOD }, 200);
  expectEqual('strong usage', [usage.value, usage.meta.consistency], ['85000', 'strong']);
  const pricing = await call('POST', '/v1/pricing/calculate', { customer_id: 'cust_acme', subscription_id: subscription.id, ...PERIOD }, 201);
  expectEqual('pricing total', [pricing.currency, pricing.total_amount], ['USD', '47.50']);
  expectEqual(
    'pricing tiers',
    pricing.line_items[0].tiers.map((tier) => tier.amount),
    ['10', '37.5'],
  );
  const invoice = await call('POST', '/v1/invoices', { customer_id: 'cust_acme', cutoff_date: '2026-03-31T23:59:59Z' }, 201);
  expectEqual('invoice', [invoice.status, invoice.total_amount], ['issued', '47.50']);
  console.log(`overview: usage 85000, pricing 47.50, invoice ${invoice.number} 47.50 — as the README says`);
  await operatorConsole();
}

/** The image carries the console's build: the gateway serves its page (any path under /console) and its script. */
async function operatorConsole() {
  const page = await fetch(`${gateway}/console/customers/cust_acme`, { signal: AbortSignal.timeout(10_000) });
  const html = await page.text();
  expectEqual('console page', [page.status, page.headers.get('content-type')], [200, 'text/html; charset=utf-8']);
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html);
  if (!script) throw new Error(`the console page names no script: ${html.slice(0, 300)}`);
  const asset = await fetch(`${gateway}${script[1]}`, { signal: AbortSignal.timeout(10_000) });
  expectEqual('console script', [asset.status, asset.headers.get('content-type')], [200, 'text/javascript; charset=utf-8']);
  console.log(`overview: the operator console answers at ${gateway}/console`);
}

main().catch((error) => {
  console.error(`overview: FAILED: ${error.message}`);
  process.exit(1);
});
