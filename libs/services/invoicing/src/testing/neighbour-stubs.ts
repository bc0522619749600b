import Big from 'big.js';
import { randomBytes } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import type { CustomerRecord, MetricRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { CalculationJson, CalculationLineItemJson } from '@abaxus/contracts/pricing-calculation';
import type { PostalAddress } from '@abaxus/domain/address/postal-address';
import { createMessageBus } from '@abaxus/platform/bus/create-message-bus';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import type { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { startHttpApp } from '@abaxus/platform/service/start-service-app';
import type { ServiceStub, ServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import type { Clock } from '@abaxus/platform/time/clock';
import { TOPICS } from '@abaxus/contracts/topics';

/*
 * The invoicing service's neighbours for the single-service tier: the catalog routes it reads
 * (customer, subscriptions of a customer, plan version, metric) and pricing's calculate, answered by the
 * stubs of startServiceUnderTest from customers a test declares. Every route invoicing calls is
 * programmed here, in one place.
 */

export interface StubbedCustomerOptions {
  name?: string | null;
  email?: string | null;
  address?: PostalAddress | null;
  taxId?: string | null;
  /** The plan's minimum commitment (Part II §7). */
  minimumAmount?: string;
  /** The customer's tax rates (POST /v1/tax-rates ids). */
  taxRateIds?: string[];
  /** Stripe's saved card (`pm_…`); null for none. */
  paymentMethod?: string | null;
  /** Stripe's customer (`cus_…`). */
  providerCustomer?: string;
  currency?: string;
  /** What pricing answers for the customer's subscription, as a decimal string. */
  amount?: string;
  /** The line items pricing answers (their amounts should add up to `amount`); one per_unit api_calls line by default. */
  lineItems?: CalculationLineItemJson[];
  /** How late pricing answers for this customer. */
  pricingDelayMs?: number;
  startDate?: string;
}

export interface CycledCustomerOptions {
  interval: 'day' | 'week' | 'month' | 'year';
  startDate: string;
  /** The plan's flat fee per interval, e.g. "29.00". */
  fee: string;
  usageAmount?: string;
  testClock?: string;
  trialEnd?: string;
  currency?: string;
  /** Stripe's saved card (`pm_…`). */
  paymentMethod?: string;
  /** False: do not publish the subscription.created event yet (publishSubscriptions later). */
  publish?: boolean;
}

export interface StubbedCustomer {
  id: string;
  subscriptionId: string;
  planId: string;
  providerCustomer: string;
}

interface CalculateBody {
  customer_id: string;
  subscription_id: string;
  period_start: string;
  period_end: string;
  plan_id?: string;
  plan_version?: number;
}

const uniqueId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

export class InvoicingNeighbourStubs {
  /** Every calculation pricing answered, in order. */
  readonly calculations: CalculationJson[] = [];
  private readonly subscriptions = new Map<string, SubscriptionRecord[]>();
  private readonly pricing = new Map<string, { amount: string; currency: string; delayMs: number; lineItems?: CalculationLineItemJson[] }>();
  private readonly cycled = new Map<string, { fee: string; usageAmount: string }>();
  /** What pricing answers for a plan version a calculation asks for (a phase's), by "plan_id:version". */
  private readonly planPrices = new Map<string, { fee: string; usageAmount: string }>();
  private readonly customers = new Map<string, CustomerRecord>();

  /** Subscriptions pricing refuses (503) until told otherwise. */
  private readonly failingPricing = new Set<string>();

  /** Periods aggregation reports late usage for, by subscription: the indexes of the periods asked that start at these instants. */
  private readonly latePeriodStarts = new Map<string, string[]>();

  constructor(private readonly sut: ServiceUnderTest) {
    this.metric('api_calls', 'API calls');
    const late = (body: { subscription_id: string; periods: Array<{ period_start: string }> }) => {
      const starts = this.latePeriodStarts.get(body.subscription_id) ?? [];
      return body.periods.flatMap((period, index) => (starts.includes(new Date(period.period_start).toISOString()) ? [index] : []));
    };
    this.sut.stubs.aggregation?.on('POST /internal/v1/usage/late-periods', (request) => ({
      status: 200,
      body: { late: late(request.body as { subscription_id: string; periods: Array<{ period_start: string }> }) },
    }));
    // The billing run asks for a whole batch's subscriptions in one call.
    this.sut.stubs.aggregation?.on('POST /internal/v1/usage/late-periods-batch', (request) => ({
      status: 200,
      body: {
        results: (request.body as { queries: Array<{ subscription_id: string; periods: Array<{ period_start: string }> }> }).queries.map((query) => ({
          late: late(query),
        })),
      },
    }));
    // The billing run reads a batch's customers in one call.
    this.stub('catalog').on('POST /internal/v1/catalog/customers', (request) => ({
      status: 200,
      body: { data: (request.body as { ids: string[] }).ids.flatMap((id) => (this.customers.has(id) ? [this.customers.get(id)!] : [])) },
    }));
    this.stub('catalog').on('GET /v1/subscriptions', (request) => ({
      status: 200,
      body: { data: this.subscriptions.get(request.query.get('customer_id') ?? '') ?? [], has_more: false, next_cursor: null },
    }));
    this.stub('pricing').on('POST /v1/pricing/calculate', (request) => this.calculate(request.body as CalculateBody));
    // The billing run's batch: each calculation answered as the single route would, in order.
    this.stub('pricing').on('POST /internal/v1/pricing/calculate-batch', async (request) => {
      const asked = (request.body as { calculations: CalculateBody[] }).calculations;
      const answers = await Promise.all(asked.map((body) => this.calculate(body)));
      return {
        status: 200,
        body: { results: answers.map((answer) => (answer.status === 200 ? { calculation: answer.body } : { error: answer.body })) },
      };
    });
  }

  /** What pricing answers for one calculation (status and body). */
  private async calculate(body: CalculateBody): Promise<{ status: number; body: unknown }> {
    if (this.failingPricing.has(body.subscription_id)) {
      return { status: 503, body: { status: 503, code: 'stub_pricing_down', detail: `stub: pricing fails for ${body.subscription_id}` } };
    }
    const priced = this.pricing.get(body.subscription_id);
    if (!priced) return { status: 404, body: { status: 404, code: 'not_found', detail: `stub: no subscription ${body.subscription_id}` } };
    if (priced.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, priced.delayMs));
    const subscription = [...this.subscriptions.values()].flat().find((candidate) => candidate.id === body.subscription_id)!;
    const asked = body.plan_id !== undefined ? `${body.plan_id}:${body.plan_version}` : undefined;
    if (asked && !this.planPrices.has(asked)) return { status: 422, body: { status: 422, code: 'plan_not_of_subscription', detail: `stub: ${asked}` } };
    const cycled = asked ? this.planPrices.get(asked) : this.cycled.get(body.subscription_id);
    const usageEnd = subscription.canceled_at && subscription.canceled_at < body.period_end ? subscription.canceled_at : body.period_end;
    const lineItems: CalculationJson['line_items'] = cycled
      ? [
          { metric_key: null, model: 'flat_fee', quantity: '1', amount: cycled.fee },
          { metric_key: 'api_calls', model: 'per_unit', quantity: '1', amount: cycled.usageAmount },
        ]
      : (priced.lineItems ?? [{ metric_key: 'api_calls', model: 'per_unit', quantity: '1', amount: priced.amount }]);
    const calculation: CalculationJson = {
      calculation_id: uniqueId('calc'),
      customer_id: body.customer_id,
      subscription_id: body.subscription_id,
      plan_id: body.plan_id ?? subscription.plan_id,
      plan_version: body.plan_version ?? subscription.plan_version,
      currency: priced.currency,
      period_start: body.period_start,
      period_end: body.period_end,
      usage_period: { start: body.period_start, end: usageEnd },
      total_amount: cycled ? new Big(cycled.fee).plus(cycled.usageAmount).toFixed(2) : priced.amount,
      line_items: lineItems,
      created_at: new Date().toISOString(),
    };
    this.calculations.push(calculation);
    return { status: 200, body: calculation };
  }

  /** A customer with one subscription (from `startDate`, default 2026-01-01) to a one-version plan. */
  customer(options: StubbedCustomerOptions = {}): StubbedCustomer {
    const id = uniqueId('cust');
    const planId = uniqueId('plan');
    const subscriptionId = uniqueId('sub');
    const providerCustomer = options.providerCustomer ?? 'cus_acme';
    const currency = options.currency ?? 'USD';
    const now = new Date().toISOString();
    const customer: CustomerRecord = {
      id,
      name: options.name === undefined ? 'Acme Corp' : options.name,
      email: options.email === undefined ? 'billing@acme.test' : options.email,
      billing: { provider: 'stripe' },
      payment_method:
        options.paymentMethod === null ? null : { provider_customer_id: providerCustomer, provider_payment_method: options.paymentMethod ?? 'pm_card_visa' },
      address: options.address ?? null,
      tax_id: options.taxId ?? null,
      ...(options.taxRateIds ? { tax_rate_ids: options.taxRateIds } : {}),
      created_at: now,
      updated_at: now,
    };
    this.stub('catalog').on(`GET /v1/customers/${id}`, () => ({ status: 200, body: customer }));
    this.customers.set(id, customer);
    this.stub('catalog').on(`GET /v1/price-plans/${planId}/versions/1`, {
      status: 200,
      body: {
        id: planId,
        version: 1,
        name: 'Plan',
        currency,
        charges: [{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '1' } }],
        ...(options.minimumAmount ? { minimum_amount: options.minimumAmount } : {}),
        created_at: now,
      },
    });
    this.subscriptions.set(id, [
      {
        id: subscriptionId,
        customer_id: id,
        plan_id: planId,
        plan_version: 1,
        start_date: options.startDate ?? '2026-01-01T00:00:00.000Z',
        canceled_at: null,
        created_at: now,
      },
    ]);
    this.pricing.set(subscriptionId, { amount: options.amount ?? '41.50', currency, delayMs: options.pricingDelayMs ?? 0, lineItems: options.lineItems });
    return { id, subscriptionId, planId, providerCustomer };
  }

  /**
   * A customer with one subscription to a plan with a billing interval and a flat fee (pricing
   * answers the fee once plus `usageAmount` of usage, as the real pricing does), announced to the
   * service as the catalog would: a subscription.created event on the bus. Returns once published.
   */
  async cycledCustomer(options: CycledCustomerOptions): Promise<StubbedCustomer> {
    const customer = this.customer({ startDate: options.startDate, amount: '0', currency: options.currency, paymentMethod: options.paymentMethod });
    const subscription = this.subscriptions.get(customer.id)![0];
    Object.assign(subscription, { billing_interval: options.interval, test_clock: options.testClock ?? null, trial_end: options.trialEnd ?? null });
    this.cycled.set(customer.subscriptionId, { fee: options.fee, usageAmount: options.usageAmount ?? '0.00' });
    if (options.publish !== false) await this.publishSubscriptions([subscription]);
    return customer;
  }

  /** The catalog's subscription.created events of these subscriptions, in one publish. */
  async publishSubscriptions(records: SubscriptionRecord[], type: 'subscription.created' | 'subscription.changed' = 'subscription.created'): Promise<void> {
    await this.sut.bus.publish(
      records.map((record) => ({
        topic: TOPICS.catalogEvents,
        key: record.id,
        value: JSON.stringify({ type, data: record, event_id: uniqueId('evt'), occurred_at: record.created_at }),
      })),
    );
  }

  /**
   * The customer's subscription changed plan as the catalog records it: these phases (each plan
   * version priced by pricing at its fee and usage amount), published as subscription.changed.
   */
  async changePlan(
    customerId: string,
    phases: Array<{ plan_id: string; start: string; end: string | null; fee: string; usageAmount?: string }>,
  ): Promise<void> {
    const subscription = this.subscriptions.get(customerId)![0];
    const currency = this.pricing.get(subscription.id)?.currency ?? 'USD';
    for (const phase of phases) {
      this.planPrices.set(`${phase.plan_id}:1`, { fee: phase.fee, usageAmount: phase.usageAmount ?? '0.00' });
      if (phase.plan_id === subscription.plan_id) continue;
      // The new plan's version as the catalog answers it (a phase's minimum commitment is read from it).
      this.stub('catalog').on(`GET /v1/price-plans/${phase.plan_id}/versions/1`, {
        status: 200,
        body: {
          id: phase.plan_id,
          version: 1,
          name: 'Plan',
          currency,
          charges: [{ model: 'flat_fee', properties: { amount: phase.fee } }],
          created_at: '2026-01-01T00:00:00.000Z',
        },
      });
    }
    subscription.phases = phases.map((phase) => ({ plan_id: phase.plan_id, plan_version: 1, start: phase.start, end: phase.end }));
    await this.publishSubscriptions([subscription], 'subscription.changed');
  }

  /** What pricing answers from now on for one plan version of a phase (e.g. usage arrived late). */
  repricePlan(planId: string, usageAmount: string): void {
    this.planPrices.get(`${planId}:1`)!.usageAmount = usageAmount;
  }

  /** What pricing answers from now on for the usage of a cycled subscription that never changed plan. */
  repriceUsage(subscriptionId: string, usageAmount: string): void {
    this.cycled.get(subscriptionId)!.usageAmount = usageAmount;
  }

  subscriptionOf(customerId: string): SubscriptionRecord {
    return this.subscriptions.get(customerId)![0];
  }

  /** The customer's saved card from now on (e.g. the customer fixed a declined card). */
  setPaymentMethod(customerId: string, paymentMethod: string): void {
    const customer = this.customers.get(customerId)!;
    customer.payment_method = { provider_customer_id: customer.payment_method?.provider_customer_id ?? 'cus_acme', provider_payment_method: paymentMethod };
  }

  /** Pricing refuses (503 stub_pricing_down) to price this subscription from now on, or prices it again. */
  failPricing(subscriptionId: string, failing = true): void {
    if (failing) this.failingPricing.add(subscriptionId);
    else this.failingPricing.delete(subscriptionId);
  }

  /** How late pricing answers for a subscription from now on. */
  setPricingDelay(subscriptionId: string, delayMs: number): void {
    this.pricing.get(subscriptionId)!.delayMs = delayMs;
  }

  /** Changes what the catalog answers for a customer from now on (e.g. it moved). */
  updateCustomer(customerId: string, changes: Partial<CustomerRecord>): void {
    Object.assign(this.customers.get(customerId)!, changes, { updated_at: new Date().toISOString() });
  }

  /** A metric the catalog knows (its name is what documents print). */
  metric(key: string, name: string): void {
    const metric: MetricRecord = { key, name, aggregation_type: 'sum', value_type: 'integer', dimensions: [], created_at: '2026-01-01T00:00:00.000Z' };
    this.stub('catalog').on(`GET /v1/metrics/${key}`, { status: 200, body: metric });
  }

  /** Aggregation reports usage stored late for these invoiced periods (by period start) of a subscription. */
  lateUsage(subscriptionId: string, periodStarts: string[]): void {
    this.latePeriodStarts.set(
      subscriptionId,
      periodStarts.map((start) => new Date(start).toISOString()),
    );
  }

  /** Changes what pricing answers for a subscription from now on (e.g. usage arrived). */
  reprice(subscriptionId: string, amount: string): void {
    this.pricing.get(subscriptionId)!.amount = amount;
  }

  private stub(name: 'catalog' | 'pricing'): ServiceStub {
    const stub = this.sut.stubs[name];
    if (!stub) throw new Error(`start the invoicing service with stub: ['catalog', 'pricing', 'aggregation']`);
    return stub;
  }
}

export interface RestartedService {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the service module again as a new process would: on the database of a running service
 * under test (left as it is), with the same stubbed neighbours, its own bus client and clock.
 */
export async function restartOnSameDatabase(
  sut: ServiceUnderTest,
  module: (runtime: ServiceRuntime) => DynamicModule,
  options: { env: Record<string, string>; clock?: Clock },
): Promise<RestartedService> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: sut.databaseUrl, ABAXUS_DB_POOL_SIZE: '4', ...options.env });
  const directory = new ServiceDirectory();
  for (const [name, stub] of Object.entries(sut.stubs)) directory.register(name as never, stub!.url);
  const bus = createMessageBus(config, sut.databaseUrl, 'abaxus-service-restart');
  const started = await startHttpApp(module({ config, databaseUrl: sut.databaseUrl, directory, sharedBus: bus, clock: options.clock }), {
    port: 0,
    host: '127.0.0.1',
  });
  return {
    url: started.url,
    stop: async () => {
      await started.app.close();
      await bus.close();
    },
  };
}
