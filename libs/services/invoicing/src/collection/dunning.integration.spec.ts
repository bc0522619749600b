import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import type { InvoiceJson } from '../invoices/invoice-json';
import { InvoicingAppModule } from '../invoicing-app.module';
import { expectStatus } from '../testing/expect-status';
import { FakeStripeServer } from '../testing/fake-stripe-server';
import { InvoicingNeighbourStubs } from '../testing/neighbour-stubs';

/*
 * Single-service tier: automatic collection and dunning on a test clock, against the
 * Stripe-shaped test server (declining cards decline, the visa card pays).
 */
describe('automatic collection and dunning (service alone)', () => {
  let sut: ServiceUnderTest;
  let stripe: FakeStripeServer;
  let neighbours: InvoicingNeighbourStubs;

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), {
      stub: ['catalog', 'pricing', 'aggregation'],
      env: { ABAXUS_BILLING_RUN_INTERVAL_MS: '0', STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_TIMEOUT_MS: '2000' },
    });
    neighbours = new InvoicingNeighbourStubs(sut);
  });

  afterAll(async () => {
    await sut?.stop();
    await stripe?.stop();
  });

  const advance = async (clockId: string, to: string) => {
    expectStatus(await sut.api('POST', `/v1/test-clocks/${clockId}/advance`, { frozen_time: to }), 200);
    await pollUntil(
      async () => {
        const status = (await sut.api('GET', `/v1/test-clocks/${clockId}`)).body.status;
        if (status !== 'ready') throw new Error(`clock ${clockId} is ${status}`);
      },
      { timeoutMs: 30_000 },
    );
  };
  const onlyInvoice = async (customerId: string): Promise<InvoiceJson> => {
    const invoices = (await sut.api('GET', `/v1/invoices?customer_id=${customerId}`)).body.data as InvoiceJson[];
    expect(invoices).toHaveLength(1);
    return invoices[0];
  };

  async function declinedCustomerOnClock() {
    const clock = expectStatus(await sut.api('POST', '/v1/test-clocks', { frozen_time: '2026-01-01T00:00:00Z' }), 201).body;
    const customer = await neighbours.cycledCustomer({
      interval: 'month',
      startDate: '2026-01-01T00:00:00.000Z',
      fee: '10.00',
      testClock: clock.id,
      paymentMethod: 'pm_card_chargeDeclined',
    });
    expectStatus(await sut.api('PUT', `/v1/customers/${customer.id}/auto-collection`, { email: false, charge: true }), 200);
    return { clock, customer };
  }

  it('retries a declined automatic charge on schedule and stops once it succeeds', async () => {
    const { clock, customer } = await declinedCustomerOnClock();
    await advance(clock.id, '2026-02-01T01:00:00Z');
    let invoice = await onlyInvoice(customer.id);
    expect([invoice.status, invoice.collection]).toEqual(['issued', { attempts: 1, next_attempt_at: '2026-02-02T01:00:00.000Z', state: 'retrying' }]);

    await advance(clock.id, '2026-02-02T02:00:00Z');
    invoice = await onlyInvoice(customer.id);
    expect(invoice.collection).toEqual({ attempts: 2, next_attempt_at: '2026-02-04T01:00:00.000Z', state: 'retrying' });

    neighbours.setPaymentMethod(customer.id, 'pm_card_visa');
    await advance(clock.id, '2026-02-04T02:00:00Z');
    invoice = await onlyInvoice(customer.id);
    expect([invoice.status, invoice.collection]).toEqual(['paid', { attempts: 3, next_attempt_at: null, state: 'succeeded' }]);
    expect(invoice.payment_attempts.map((attempt) => attempt.status)).toEqual(['failed', 'failed', 'succeeded']);

    // Nothing more is tried.
    await advance(clock.id, '2026-02-20T00:00:00Z');
    expect((await onlyInvoice(customer.id)).payment_attempts).toHaveLength(3);
  });

  it('shows the schedule exhausted after the last retry (1, 3 and 5 days), all run in order by one long advance', async () => {
    const { clock, customer } = await declinedCustomerOnClock();
    await advance(clock.id, '2026-02-01T01:00:00Z');
    await advance(clock.id, '2026-02-10T00:00:00Z');
    const invoice = await onlyInvoice(customer.id);
    expect([invoice.status, invoice.collection]).toEqual(['issued', { attempts: 4, next_attempt_at: null, state: 'exhausted' }]);
    expect(invoice.payment_attempts.map((attempt) => attempt.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });
});
