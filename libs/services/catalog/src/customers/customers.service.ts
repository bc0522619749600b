import { Injectable } from '@nestjs/common';
import { CustomerRecord } from '@abaxus/contracts/catalog-events';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogTransactions } from '../catalog-events/catalog-transactions';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { postalAddressOf } from '@abaxus/platform/http/postal-address.dto';
import { BillingDto, CreateCustomerDto, PaymentMethodDto, UpdateCustomerDto } from './customer.dto';
import { CustomerFields, CustomersRepository } from './customers.repository';

function billingOf(dto: BillingDto | null | undefined): CustomerRecord['billing'] {
  return dto ? { provider: dto.provider } : null;
}

function paymentMethodOf(dto: PaymentMethodDto | null | undefined): CustomerRecord['payment_method'] {
  return dto ? { provider_customer_id: dto.provider_customer_id, provider_payment_method: dto.provider_payment_method ?? null } : null;
}

@Injectable()
export class CustomersService {
  constructor(
    private readonly repository: CustomersRepository,
    private readonly transactions: CatalogTransactions,
  ) {}

  async create(body: CreateCustomerDto): Promise<CustomerRecord> {
    const fields: CustomerFields = {
      name: body.name ?? null,
      email: body.email ?? null,
      billing: billingOf(body.billing),
      payment_method: paymentMethodOf(body.payment_method),
      address: body.address ? postalAddressOf(body.address) : null,
      tax_id: body.tax_id ?? null,
      tax_rate_ids: body.tax_rate_ids ?? [],
    };
    const created = await this.transactions.run(async (tx) => {
      const record = await this.repository.insert(tx.manager, body.id, fields);
      if (record) tx.emit({ type: 'customer.created', data: record });
      return record;
    });
    if (!created) throw new ProblemException(409, 'customer_exists', `Customer "${body.id}" already exists; change it with PATCH /v1/customers/${body.id}.`);
    return created;
  }

  /** Replaces the fields given (null clears one); a body with no field changes nothing. */
  async update(id: string, body: UpdateCustomerDto): Promise<CustomerRecord> {
    return this.transactions.run(async (tx) => {
      const current = await this.repository.findForUpdate(tx.manager, id);
      if (!current) throw ProblemException.notFound('Customer', id);
      const fields = ['name', 'email', 'billing', 'payment_method', 'address', 'tax_id', 'tax_rate_ids'] as const;
      if (fields.every((field) => body[field] === undefined)) return current;
      const record = await this.repository.update(tx.manager, id, {
        name: body.name === undefined ? current.name : body.name,
        email: body.email === undefined ? current.email : body.email,
        billing: body.billing === undefined ? current.billing : billingOf(body.billing),
        payment_method: body.payment_method === undefined ? current.payment_method : paymentMethodOf(body.payment_method),
        address: body.address === undefined ? current.address : body.address && postalAddressOf(body.address),
        tax_id: body.tax_id === undefined ? current.tax_id : body.tax_id,
        tax_rate_ids: body.tax_rate_ids === undefined ? current.tax_rate_ids : (body.tax_rate_ids ?? []),
      });
      tx.emit({ type: 'customer.updated', data: record });
      return record;
    });
  }

  async get(id: string): Promise<CustomerRecord> {
    const customer = await this.repository.find(id);
    if (!customer) throw ProblemException.notFound('Customer', id);
    return customer;
  }

  /** Those of the ids that exist (GET /v1/customers/:id for many, one read). */
  findMany(ids: readonly string[]): Promise<CustomerRecord[]> {
    return this.repository.findMany(ids);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.repository.find(id)) !== undefined;
  }

  async list(query: ListQueryDto): Promise<Page<CustomerRecord>> {
    const limit = listLimit(query);
    const rows = await this.repository.list(limit + 1, query.starting_after);
    if (!rows) throw unknownCursor(query.starting_after!);
    return toPage(rows, limit, (customer) => customer.id);
  }
}
