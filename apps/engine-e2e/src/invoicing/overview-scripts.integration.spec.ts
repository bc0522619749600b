import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { expectStatus } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { FakeStripeServer } from '@abaxus/services/invoicing/testing/fake-stripe-server';
import { SmtpTestServer } from '@abaxus/services/invoicing/testing/smtp-test-server';

/*
 * The overview's three scripts (setup.sh, ingest.sh, invoice.sh; spec/OVERVIEW.txt) as pasted,
 * `...` filled in: bodies sent like `curl -d` sends them (JSON labelled as a form), from metric
 * creation to a paid invoice, through the gateway.
 */
describe.each(['kafka', 'embedded'] as const)('the overview scripts, end to end (%s bus)', (bus) => {
  let stripe: FakeStripeServer;
  let smtp: SmtpTestServer;
  let engine: TestEngine;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    smtp = await new SmtpTestServer().start();
    engine = await startTestEngine({
      bus,
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_WEBHOOK_SECRET: 'whsec_overview', SMTP_URL: smtp.url },
    });
  });

  afterAll(async () => {
    await engine?.stop();
    await smtp?.stop();
    await stripe?.stop();
  });

  /** `curl -X POST $API<path> -d '<body>'`: no JSON content type. */
  const curlPost = (path: string, body?: string) =>
    engine.api('POST', path, body, body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' });

  it('goes from metric creation to a paid invoice', async () => {
    // setup.sh
    expectStatus(
      await curlPost(
        '/v1/metrics',
        `{
    "key": "api_calls",
    "aggregation_type": "sum",
    "value_type": "integer"
  }`,
      ),
      201,
    );
    expectStatus(
      await curlPost(
        '/v1/price-plans',
        `{
    "id": "plan_growth", "currency": "USD",
    "charges": [{
      "metric_key": "api_calls",
      "model": "tiered",
      "properties": {
        "tiers": [
          {"up_to":10000,"unit_amount":"0.001"},
          {"up_to":null, "unit_amount":"0.0005"}
        ]
      }
    }]
  }`,
      ),
      201,
    );
    expectStatus(
      await curlPost(
        '/v1/customers',
        `{
    "id": "cust_acme",
    "billing": {"provider":"stripe"},
    "payment_method": {
      "provider_customer_id": "cus_xxx",
      "provider_payment_method": "pm_xxx"
    }
  }`,
      ),
      201,
    );
    const subscription = expectStatus(
      await curlPost(
        '/v1/subscriptions',
        `{
    "customer_id": "cust_acme",
    "plan_id": "plan_growth",
    "start_date": "2026-01-01T00:00:00Z"
  }`,
      ),
      201,
    );
    expect(subscription.body).toMatchObject({ id: expect.stringMatching(/^sub_/), status: 'active' });
    const subscriptionId: string = subscription.body.id;

    // ingest.sh
    expect(
      (
        await curlPost(
          '/v1/events',
          `{
    "customer_id":     "cust_acme",
    "subscription_id": "${subscriptionId}",
    "metric_key":      "api_calls",
    "value":           "1",
    "timestamp":       "2026-03-17T14:00:00Z",
    "idempotency_key": "evt_req_abc123",
    "properties": { "region": "us-east-1" }
  }`,
        )
      ).status,
    ).toBe(202);
    const batch = expectStatus(
      await curlPost(
        '/v1/events/batch',
        `{
    "events": [
      {"idempotency_key":"evt_001","customer_id":"cust_acme","subscription_id":"${subscriptionId}","metric_key":"api_calls","value":"50000","timestamp":"2026-03-18T09:00:00Z"},
      {"idempotency_key":"evt_002","customer_id":"cust_acme","subscription_id":"${subscriptionId}","metric_key":"api_calls","value":"34999","timestamp":"2026-03-19T09:00:00Z"}
    ]
  }`,
      ),
      207,
    );
    expect(batch.body.results.map((result: { status: number }) => result.status)).toEqual([202, 202]);

    // invoice.sh — A. usage (eventual, converges), B. exact calculation, C. invoice, D. charge
    const summaryPath = '/v1/usage/summary?customer_id=cust_acme&metric_key=api_calls&period_start=2026-03-01T00:00:00Z&period_end=2026-04-01T00:00:00Z';
    await pollUntil(async () => expect((await engine.api('GET', summaryPath)).body).toMatchObject({ value: '85000', meta: { consistency: 'eventual' } }));
    const calculation = expectStatus(
      await curlPost(
        '/v1/pricing/calculate',
        `{
    "customer_id":"cust_acme",
    "subscription_id":"${subscriptionId}",
    "period_start":"2026-03-01T00:00:00Z",
    "period_end":"2026-04-01T00:00:00Z"
  }`,
      ),
      201,
    );
    expect(calculation.body).toMatchObject({
      total_amount: '47.50',
      line_items: [
        {
          metric_key: 'api_calls',
          quantity: '85000',
          amount: '47.50',
          tiers: [
            { from: '0', up_to: '10000', quantity: '10000', unit_amount: '0.001', flat_amount: '0', amount: '10' },
            { from: '10000', up_to: null, quantity: '75000', unit_amount: '0.0005', flat_amount: '0', amount: '37.5' },
          ],
        },
      ],
    });
    const invoice = expectStatus(
      await curlPost(
        '/v1/invoices',
        `{
    "customer_id":"cust_acme",
    "cutoff_date":"2026-03-31T23:59:59Z"
  }`,
      ),
      201,
    );
    expect(invoice.body).toMatchObject({
      id: expect.stringMatching(/^inv_/),
      status: 'issued',
      period_start: '2026-01-01T00:00:00.000Z',
      period_end: '2026-03-31T23:59:59.000Z',
      total_amount: '47.50',
    });
    // Beyond the scripts: the lifecycle's send-email step, once the customer has an address.
    expectStatus(await engine.api('PATCH', '/v1/customers/cust_acme', { email: 'billing@acme.test' }), 200);
    expectStatus(await curlPost(`/v1/invoices/${invoice.body.id}/send-email`), 200);
    expect(smtp.messages.map((message) => message.subject)).toContainEqual(
      expect.stringMatching(new RegExp(`^Invoice ${invoice.body.number}: 47\\.50 USD due `)),
    );
    const charged = expectStatus(await curlPost(`/v1/invoices/${invoice.body.id}/charge`), 200);
    expect(charged.body).toMatchObject({ status: 'paid', payment_intent: expect.stringMatching(/^pi_/) });
    expect(stripe.creations().at(-1)?.form).toMatchObject({ amount: '4750', currency: 'usd', customer: 'cus_xxx', payment_method: 'pm_xxx' });
    expect((await engine.api('GET', `/v1/invoices/${invoice.body.id}`)).body).toMatchObject({ status: 'paid', sent_at: expect.any(String) });
  });
});
