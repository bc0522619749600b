import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { UsageHistogram, UsageService, UsageValue } from './usage.service';

/** GET /v1/usage/summary and /histogram (eventual, from buckets); POST /v1/usage/compute (exact). */
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get('summary')
  summary(@Query() query: Record<string, unknown>): Promise<UsageValue> {
    return this.usage.summary(query);
  }

  @Get('histogram')
  histogram(@Query() query: Record<string, unknown>): Promise<UsageHistogram> {
    return this.usage.histogram(query);
  }

  @Post('compute')
  @HttpCode(200)
  compute(@Body() body: unknown): Promise<UsageValue> {
    return this.usage.compute(body);
  }
}
