import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EventItemResult } from '@abaxus/usage-events/event-item-results';
import { EventsService } from './events.service';

/** POST /v1/events (single), /batch (up to 500, per-item results) and /backfill (up to 5,000). */
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @HttpCode(202)
  accept(@Body() body: unknown): Promise<{ idempotency_key: string; status: 'accepted' }> {
    return this.events.acceptOne(body);
  }

  @Post('batch')
  @HttpCode(207)
  acceptBatch(@Body() body: unknown): Promise<{ results: EventItemResult[] }> {
    return this.events.acceptBatch(body);
  }

  /** The aggregation service answers (it owns the store); its answer passes through unchanged. */
  @Post('backfill')
  async backfill(@Body() body: unknown, @Res() res: Response): Promise<void> {
    const answer = await this.events.backfill(body);
    res
      .status(answer.status)
      .type(answer.status >= 400 ? 'application/problem+json' : 'application/json')
      .send(JSON.stringify(answer.body));
  }
}
