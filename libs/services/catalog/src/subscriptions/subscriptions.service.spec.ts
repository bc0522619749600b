import { SubscriptionPhaseRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { problemOf } from '@abaxus/platform/testing/problem-of';
import { CustomersService } from '../customers/customers.service';
import { PricePlansService } from '../price-plans/price-plans.service';
import { FakeCatalogTransactions, listNewestFirst } from '../testing/fake-catalog-transactions';
import { NewSubscription, SubscriptionsRepository } from './subscriptions.repository';
import { InvoicedUntilClient } from './invoiced-until.client';
import { SubscriptionTime } from './subscription-time';
import { SubscriptionsService } from './subscriptions.service';

/** The engine's "now" in these tests (the subscription's clock): a start or cancel date left out gets it. */
const DB_NOW = '2026-06-01T00:00:00.000Z';

class FakeSubscriptionsRepository {
  readonly subscriptions: SubscriptionRecord[] = [];
  readonly inserted: NewSubscription[] = [];

  async insert(_manager: unknown, subscription: NewSubscription): Promise<SubscriptionRecord> {
    this.inserted.push(subscription);
    const { start_date, trial_end, ...rest } = subscription;
    const record = { ...rest, start_date: start_date.toISOString(), trial_end: trial_end?.toISOString() ?? null, canceled_at: null, created_at: DB_NOW };
    this.subscriptions.push(record);
    return record;
  }

  async findForUpdate(_manager: unknown, id: string): Promise<SubscriptionRecord | undefined> {
    return this.find(id);
  }

  async cancel(_manager: unknown, id: string, at: Date | null, phases: SubscriptionPhaseRecord[]): Promise<SubscriptionRecord> {
    const record = this.subscriptions.find((subscription) => subscription.id === id)!;
    record.canceled_at = at?.toISOString() ?? DB_NOW;
    record.phases = phases;
    return { ...record };
  }

  async find(id: string): Promise<SubscriptionRecord | undefined> {
    const record = this.subscriptions.find((subscription) => subscription.id === id);
    return record && { ...record };
  }

  async list(limit: number, startingAfter: string | undefined, customerId: string | undefined): Promise<SubscriptionRecord[] | undefined> {
    const all = listNewestFirst(this.subscriptions, (subscription) => subscription.id, this.subscriptions.length, startingAfter);
    return all?.filter((subscription) => customerId === undefined || subscription.customer_id === customerId).slice(0, limit);
  }
}

describe('SubscriptionsService', () => {
  let repository: FakeSubscriptionsRepository;
  let transactions: FakeCatalogTransactions;
  let service: SubscriptionsService;
  /** Where invoices of each subscription reach (invoicing's answer); absent: never invoiced. */
  let invoicedUntil: Map<string, Date>;

  beforeEach(() => {
    repository = new FakeSubscriptionsRepository();
    transactions = new FakeCatalogTransactions();
    const customers = { exists: async (id: string) => id === 'cust_acme' };
    const plans = { latestVersion: async (id: string) => (id === 'plan_growth' ? { version: 3, billing_interval: null } : undefined) };
    const time = {
      now: async () => new Date(DB_NOW),
      nowsFor: async (clocks: Array<string | null>) => new Map(clocks.map((clock) => [clock, new Date(DB_NOW)])),
    };
    invoicedUntil = new Map();
    const invoiced = { invoicedUntil: async (id: string) => invoicedUntil.get(id) ?? null };
    service = new SubscriptionsService(
      repository as unknown as SubscriptionsRepository,
      customers as unknown as CustomersService,
      plans as unknown as PricePlansService,
      transactions.asTransactions(),
      time as unknown as SubscriptionTime,
      invoiced as unknown as InvoicedUntilClient,
    );
  });

  it('pins the latest plan version under a new sub_ id, and publishes subscription.created with the stored record', async () => {
    const created = await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: '2026-01-01T02:00:00+02:00' });
    expect(created).toEqual({
      id: expect.stringMatching(/^sub_[A-Za-z0-9_-]{16}$/),
      status: 'active',
      customer_id: 'cust_acme',
      plan_id: 'plan_growth',
      plan_version: 3,
      start_date: '2026-01-01T00:00:00.000Z',
      canceled_at: null,
      billing_interval: null,
      trial_end: null,
      test_clock: null,
      phases: [{ plan_id: 'plan_growth', plan_version: 3, start: '2026-01-01T00:00:00.000Z', end: null }],
      created_at: DB_NOW,
      current_period_start: null,
      current_period_end: null,
    });
    const { status: _status, current_period_start: _start, current_period_end: _end, ...record } = created;
    expect(transactions.published).toEqual([{ type: 'subscription.created', data: record }]);
    const other = await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth' });
    expect(other.id).not.toBe(created.id);
  });

  it("starts an absent start date at the subscription's now (the engine's clock, or its test clock's)", async () => {
    await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth' });
    expect(repository.inserted[0].start_date.toISOString()).toBe(DB_NOW);
  });

  it('is pending when it starts in the future', async () => {
    const start = new Date(Date.parse(DB_NOW) + 3600_000).toISOString();
    expect((await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: start })).status).toBe('pending');
  });

  it('answers 404 naming customer_id or plan_id for an unknown one, and stores and publishes nothing', async () => {
    expect(await problemOf(service.create({ customer_id: 'cust_nobody', plan_id: 'plan_growth' }))).toMatchObject({
      status: 404,
      code: 'not_found',
      errors: [{ field: 'customer_id' }],
    });
    expect(await problemOf(service.create({ customer_id: 'cust_acme', plan_id: 'plan_none' }))).toMatchObject({
      status: 404,
      code: 'not_found',
      errors: [{ field: 'plan_id' }],
    });
    expect([repository.inserted, transactions.published]).toEqual([[], []]);
  });

  it('cancels at the given time or now, publishes subscription.canceled, and refuses a second cancel with 409', async () => {
    const now = await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: '2026-01-01T00:00:00Z' });
    const canceled = await service.cancel(now.id, {});
    expect(canceled).toMatchObject({ status: 'canceled', canceled_at: DB_NOW });
    const { status: _status, current_period_start: _start, current_period_end: _end, ...record } = canceled;
    expect(transactions.published[1]).toEqual({ type: 'subscription.canceled', data: record });
    expect(await problemOf(service.cancel(now.id, { at: '2026-03-01T00:00:00Z' }))).toMatchObject({ status: 409, code: 'subscription_already_canceled' });
    expect(transactions.published).toHaveLength(2);

    const later = await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: '2026-01-01T00:00:00Z' });
    const at = new Date(Date.parse(DB_NOW) + 7 * 24 * 3600_000).toISOString();
    expect(await service.cancel(later.id, { at })).toMatchObject({ status: 'active', canceled_at: at });
  });

  it('refuses with 422 naming `at` a cancel back-dated into an invoiced period, and accepts one at its end', async () => {
    const sub = await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: '2026-01-01T00:00:00Z' });
    invoicedUntil.set(sub.id, new Date('2026-02-01T00:00:00Z'));
    expect(await problemOf(service.cancel(sub.id, { at: '2026-01-31T23:59:59Z' }))).toMatchObject({
      status: 422,
      code: 'period_already_invoiced',
      errors: [{ field: 'at' }],
    });
    expect(repository.subscriptions[0].canceled_at).toBeNull();
    expect(transactions.published).toHaveLength(1);
    expect(await service.cancel(sub.id, { at: '2026-02-01T00:00:00Z' })).toMatchObject({ canceled_at: '2026-02-01T00:00:00.000Z' });
  });

  it('answers 404 for an unknown subscription, on cancel and on GET', async () => {
    expect(await problemOf(service.cancel('sub_nothing', {}))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await problemOf(service.get('sub_nothing'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(transactions.published).toEqual([]);
  });

  it('lists newest first with each status computed at reading, and refuses an unknown cursor', async () => {
    const first = await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: '2026-01-01T00:00:00Z' });
    const second = await service.create({ customer_id: 'cust_acme', plan_id: 'plan_growth', start_date: '2999-01-01T00:00:00Z' });
    const page = await service.list({ customer_id: 'cust_acme', limit: '1' });
    expect(page).toEqual({ data: [expect.objectContaining({ id: second.id, status: 'pending' })], has_more: true, next_cursor: second.id });
    expect((await service.list({ starting_after: second.id })).data).toEqual([expect.objectContaining({ id: first.id, status: 'active' })]);
    expect(await problemOf(service.list({ starting_after: 'sub_nothing' }))).toMatchObject({ status: 400, errors: [{ field: 'starting_after' }] });
  });
});
