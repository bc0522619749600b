import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { IsBoolean } from 'class-validator';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { CollectionRepository } from '../collection/collection.repository';
import { InvoiceSnapshot, snapshotOf } from '../invoices/invoice-json';
import { SubscriptionPricer } from '../invoices/subscription-pricer';
import { LateUsageAdjuster } from '../late-usage/late-usage.adjuster';
import { TestClocksRepository } from '../test-clocks/test-clocks.repository';
import { BillingScheduleRepository } from './billing-schedule.repository';

export class AutoCollectionDto {
  @IsBoolean()
  email: boolean;

  @IsBoolean()
  charge: boolean;
}

export interface UpcomingInvoiceJson extends InvoiceSnapshot {
  customer_id: string;
  currency: string;
  period_start: string;
  period_end: string;
  total_amount: string;
}

/** The customer's side of automatic billing: the invoice the current cycle would produce, and automatic collection. */
@Controller('v1/customers/:id')
export class CustomerBillingController {
  constructor(
    private readonly schedule: BillingScheduleRepository,
    private readonly clocks: TestClocksRepository,
    private readonly collection: CollectionRepository,
    private readonly catalog: CatalogClient,
    private readonly pricer: SubscriptionPricer,
    private readonly lateUsage: LateUsageAdjuster,
    private readonly clock: Clock,
  ) {}

  /**
   * Not stored, no number: each cycled subscription from where its billing reached to now (its
   * test clock's now), capped at its current cycle's end, priced and prorated like the real one.
   */
  @Get('upcoming-invoice')
  async upcoming(@Param('id') customerId: string): Promise<UpcomingInvoiceJson> {
    const rows = await this.schedule.allOfCustomer(customerId);
    const periods: Array<{ row: (typeof rows)[number]; end: Date; currency: string }> = [];
    for (const row of rows) {
      if (!row.next_cycle_end) continue;
      const now = row.test_clock ? ((await this.clocks.find(row.test_clock))?.frozen_time ?? this.clock.now()) : this.clock.now();
      const end = new Date(Math.min(now.getTime(), row.next_cycle_end.getTime()));
      if (end.getTime() <= row.billed_until.getTime()) continue;
      periods.push({ row, end, currency: await this.catalog.planCurrency(row.record.plan_id, row.record.plan_version) });
    }
    if (periods.length === 0) {
      throw new ProblemException(404, 'no_upcoming_invoice', `Customer ${customerId} has no subscription on a billing cycle with time left to bill.`);
    }
    // One invoice has one currency: the first subscription's (customers bill in one in practice).
    const inCurrency = periods.filter((period) => period.currency === periods[0].currency);
    const priced = await Promise.all(inCurrency.map(({ row, end }) => this.pricer.price(customerId, row.record, row.billed_until, end)));
    // Late usage the next invoice would bill as adjustments (nothing is recorded by a preview).
    const late = await Promise.all(inCurrency.map(({ row }) => this.lateUsage.forSubscription(customerId, row.record)));
    const { snapshot, total } = snapshotOf(periods[0].currency, [...priced.flat(), ...late.flatMap((adjusted) => adjusted.priced)]);
    return {
      customer_id: customerId,
      currency: periods[0].currency,
      period_start: new Date(Math.min(...inCurrency.map(({ row }) => row.billed_until.getTime()))).toISOString(),
      period_end: new Date(Math.max(...inCurrency.map(({ end }) => end.getTime()))).toISOString(),
      total_amount: formatAmount(total, periods[0].currency),
      ...snapshot,
    };
  }

  /** Whether the customer's automatic invoices are emailed and charged without a call (default: neither). */
  @Put('auto-collection')
  @HttpCode(200)
  async setAutoCollection(
    @Param('id') customerId: string,
    @Body() body: AutoCollectionDto,
  ): Promise<{ customer_id: string; auto_collection: AutoCollectionDto }> {
    await this.catalog.customer(customerId);
    await this.collection.setAutoCollection(customerId, body.email, body.charge);
    return { customer_id: customerId, auto_collection: { email: body.email, charge: body.charge } };
  }

  @Get('auto-collection')
  async autoCollection(@Param('id') customerId: string): Promise<{ customer_id: string; auto_collection: AutoCollectionDto }> {
    return { customer_id: customerId, auto_collection: await this.collection.autoCollection(customerId) };
  }
}
