import { Body, Controller, Get, HttpCode, Injectable, OnModuleInit, Post, Query } from '@nestjs/common';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
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

/** The summary as a caller in this process (the embedded engine's gateway) reads it: a plain function, no HTTP stack per read; it answers as the controller does. */
@Injectable()
export class UsageInProcessRoutes implements OnModuleInit {
  constructor(
    private readonly directory: ServiceDirectory,
    private readonly usage: UsageService,
  ) {}

  onModuleInit(): void {
    this.directory.registerInProcessRoutes('aggregation', [
      { method: 'GET', path: '/v1/usage/summary', status: 200, handle: (_body, query) => this.usage.summary(query) },
    ]);
  }
}
