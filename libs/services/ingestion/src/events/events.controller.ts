import { Body, Controller, HttpCode, Injectable, OnModuleInit, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
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

/**
 * The single and batch routes as a caller in this process (the embedded engine's gateway) calls
 * them: a plain function, no HTTP stack per event. They answer as the controller does (a parity test
 * holds them together).
 */
@Injectable()
export class EventsInProcessRoutes implements OnModuleInit {
  constructor(
    private readonly directory: ServiceDirectory,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    this.directory.registerInProcessRoutes('ingestion', [
      { method: 'POST', path: '/v1/events', status: 202, handle: (body) => this.events.acceptOne(body) },
      { method: 'POST', path: '/v1/events/batch', status: 207, handle: (body) => this.events.acceptBatch(body) },
    ]);
  }
}
