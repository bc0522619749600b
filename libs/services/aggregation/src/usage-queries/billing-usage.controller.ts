import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { UsageService, UsageValue } from './usage.service';

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
}
