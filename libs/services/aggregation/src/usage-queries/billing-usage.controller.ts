import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { BillableEventValues, UsageService, UsageValue } from './usage.service';

/**
 * Internal: the exact usage the pricing service bills. Not under /v1, so the gateway never
 * routes to it. Same query and read-your-writes guarantee as POST /v1/usage/compute.
 */
@Controller('internal/v1/usage')
export class BillingUsageController {
  constructor(private readonly usage: UsageService) {}

  @Post('billable')
  @HttpCode(200)
  billable(@Body() body: unknown): Promise<UsageValue> {
    return this.usage.billable(body);
  }

  /** Each event's value in the period, for a charge priced event by event (percentage). */
  @Post('billable-values')
  @HttpCode(200)
  billableValues(@Body() body: unknown): Promise<BillableEventValues> {
    return this.usage.billableValues(body);
  }

  /** Which invoiced periods received usage after they were priced (invoicing bills it as adjustments). */
  @Post('late-periods')
  @HttpCode(200)
  latePeriods(@Body() body: unknown): Promise<{ late: number[] }> {
    return this.usage.latePeriods(body);
  }
}
