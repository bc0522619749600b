import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { EventItemResult } from '@abaxus/usage-events/event-item-results';
import { BackfillService } from './backfill.service';

/**
 * Internal: the ingestion service forwards POST /v1/events/backfill here, because this service
 * owns the events store. Not under /v1, so the gateway never routes to it.
 */
@Controller('internal/v1/events')
export class BackfillController {
  constructor(private readonly backfills: BackfillService) {}

  @Post('backfill')
  @HttpCode(207)
  backfill(@Body() body: unknown): Promise<{ results: EventItemResult[] }> {
    return this.backfills.backfill(body);
  }
}
