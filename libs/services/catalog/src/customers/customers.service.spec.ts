import { CustomerRecord } from '@abaxus/contracts/catalog-events';
import { problemOf } from '@abaxus/platform/testing/problem-of';
import { FakeCatalogTransactions, listNewestFirst } from '../testing/fake-catalog-transactions';
import { BillingDto } from './customer.dto';
import { CustomerFields, CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';

/** The customers table in memory; ids are unique. */
class FakeCustomersRepository {
  readonly customers: CustomerRecord[] = [];
  updates = 0;
  private clock = Date.parse('2026-01-01T00:00:00Z');

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  async insert(_manager: unknown, id: string, fields: CustomerFields): Promise<CustomerRecord | undefined> {
    if (this.customers.some((customer) => customer.id === id)) return undefined;
    const at = this.now();
    const record = { id, ...fields, created_at: at, updated_at: at };
    this.customers.push(record);
    return record;
  }

  async findForUpdate(_manager: unknown, id: string): Promise<CustomerRecord | undefined> {
    return this.find(id);
  }

  async update(_manager: unknown, id: string, fields: CustomerFields): Promise<CustomerRecord> {
    this.updates += 1;
    const index = this.customers.findIndex((customer) => customer.id === id);
    this.customers[index] = { ...this.customers[index], ...fields, updated_at: this.now() };
    return this.customers[index];
  }

  async find(id: string): Promise<CustomerRecord | undefined> {
    return this.customers.find((customer) => customer.id === id);
  }

  async list(limit: number, startingAfter: string | undefined): Promise<CustomerRecord[] | undefined> {
    return listNewestFirst(this.customers, (customer) => customer.id, limit, startingAfter);
  }
}

describe('CustomersService', () => {
  let repository: FakeCustomersRepository;
  let transactions: FakeCatalogTransactions;
  let service: CustomersService;

  beforeEach(() => {
    repository = new FakeCustomersRepository();
    transactions = new FakeCatalogTransactions();
    service = new CustomersService(repository as unknown as CustomersRepository, transactions.asTransactions());
  });

  it('stores only the known fields, absent ones as null and the payment method without a method as null, and publishes customer.created', async () => {
    // The validation pipe refuses unknown fields; the service copies the known ones all the same.
    const billing = { provider: 'stripe', account: 'acct_1' } as BillingDto;
    const created = await service.create({ id: 'cust_acme', billing, payment_method: { provider_customer_id: 'cus_1' } });
    expect(created).toEqual({
      id: 'cust_acme',
      name: null,
      email: null,
      billing: { provider: 'stripe' },
      payment_method: { provider_customer_id: 'cus_1', provider_payment_method: null },
      address: null,
      tax_id: null,
      tax_rate_ids: [],
      created_at: expect.any(String),
      updated_at: created.created_at,
    });
    expect(transactions.published).toEqual([{ type: 'customer.created', data: created }]);
  });

  it('answers a taken id with 409 customer_exists and publishes nothing for it', async () => {
    await service.create({ id: 'cust_acme', name: 'Acme' });
    expect(await problemOf(service.create({ id: 'cust_acme', name: 'Other' }))).toMatchObject({ status: 409, code: 'customer_exists' });
    expect(repository.customers.map((customer) => customer.name)).toEqual(['Acme']);
    expect(transactions.published.map((event) => event.type)).toEqual(['customer.created']);
  });

  it('replaces the fields a PATCH gives, clears those given as null, keeps the absent ones, and publishes customer.updated', async () => {
    await service.create({
      id: 'cust_acme',
      name: 'Acme',
      email: 'billing@acme.test',
      payment_method: { provider_customer_id: 'cus_1', provider_payment_method: 'pm_1' },
    });
    const updated = await service.update('cust_acme', { name: null, billing: { provider: 'stripe' }, payment_method: { provider_customer_id: 'cus_2' } });
    expect(updated).toMatchObject({
      name: null,
      email: 'billing@acme.test',
      billing: { provider: 'stripe' },
      payment_method: { provider_customer_id: 'cus_2', provider_payment_method: null },
    });
    expect(transactions.published).toEqual([expect.objectContaining({ type: 'customer.created' }), { type: 'customer.updated', data: updated }]);
  });

  it('stores an address with its optional lines as null, keeps it when a PATCH leaves it out, replaces it whole, clears it with null', async () => {
    const berlin = { line1: 'Unter den Linden 1', city: 'Berlin', postal_code: '10117', country: 'DE' };
    const created = await service.create({ id: 'cust_berlin', address: berlin, tax_id: 'DE123456789' });
    expect(created).toMatchObject({ address: { ...berlin, line2: null, state: null }, tax_id: 'DE123456789' });
    expect(await service.update('cust_berlin', { name: 'Berliner GmbH' })).toMatchObject({ address: created.address, tax_id: 'DE123456789' });
    const moved = await service.update('cust_berlin', {
      address: { line1: '1 Market St', city: 'San Francisco', state: 'CA', postal_code: '94105', country: 'US' },
    });
    expect(moved.address).toEqual({ line1: '1 Market St', line2: null, city: 'San Francisco', postal_code: '94105', state: 'CA', country: 'US' });
    expect(await service.update('cust_berlin', { address: null, tax_id: null })).toMatchObject({ name: 'Berliner GmbH', address: null, tax_id: null });
  });

  it('answers a PATCH without any field with the customer as it is, changing and publishing nothing', async () => {
    const created = await service.create({ id: 'cust_acme', name: 'Acme' });
    expect(await service.update('cust_acme', {})).toEqual(created);
    expect(repository.updates).toBe(0);
    expect(transactions.published).toHaveLength(1);
  });

  it('answers 404 for an unknown customer, on PATCH and GET, and tells whether one exists', async () => {
    expect(await problemOf(service.update('cust_nobody', { name: 'x' }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await problemOf(service.get('cust_nobody'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(transactions.published).toEqual([]);
    await service.create({ id: 'cust_acme' });
    expect([await service.exists('cust_acme'), await service.exists('cust_nobody')]).toEqual([true, false]);
  });

  it('pages newest first, and refuses a cursor that names no customer', async () => {
    for (const id of ['c1', 'c2', 'c3']) await service.create({ id });
    expect(await service.list({ limit: '2' })).toMatchObject({ data: [{ id: 'c3' }, { id: 'c2' }], has_more: true, next_cursor: 'c2' });
    expect(await service.list({ starting_after: 'c2' })).toMatchObject({ data: [{ id: 'c1' }], has_more: false, next_cursor: null });
    expect(await problemOf(service.list({ starting_after: 'c9' }))).toMatchObject({ status: 400, errors: [{ field: 'starting_after' }] });
  });
});
