import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { BillableBatchAnswer, BillableBatchesAnswer, UsageService } from './usage.service';

/**
 * Internal: the exact usage the pricing service bills. Not under /v1, so the gateway never
 * routes to it. Same read-your-writes guarantee as POST /v1/usage/compute.
 */
@Controller('internal/v1/usage')
export class BillingUsageController {
  constructor(private readonly usage: UsageService) {}

  /** Every usage figure one calculation prices (and each event's value where a charge is priced per event), in one call. */
  @Post('billable-batch')
  @HttpCode(200)
  billableBatch(@Body() body: unknown): Promise<BillableBatchAnswer> {
    return this.usage.billableBatch(body);
  }

  /** billable-batch for many subscriptions at once (pricing's batch of a billing run): one answer or problem per batch, in order. */
  @Post('billable-batches')
  @HttpCode(200)
  billableBatches(@Body() body: unknown): Promise<BillableBatchesAnswer> {
    return this.usage.billableBatches(body);
  }

  /** late-periods for many subscriptions at once (invoicing's billing run): one answer or problem per query, in order. */
  @Post('late-periods-batch')
  @HttpCode(200)
  latePeriodsBatch(@Body() body: unknown): Promise<{ results: Array<{ late: number[] } | { error: unknown }> }> {
    return this.usage.latePeriodsBatch(body);
  }

  /** Which invoiced periods received usage after they were priced (invoicing bills it as adjustments). */
  @Post('late-periods')
  @HttpCode(200)
  latePeriods(@Body() body: unknown): Promise<{ late: number[] }> {
    return this.usage.latePeriods(body);
  }
}
