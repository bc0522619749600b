import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { IsOptional, IsString, Length } from 'class-validator';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { BillingPassResult } from './billing-run.service';
import { BillingRunFailure, BillingRunsRepository } from './billing-runs.repository';
import { BillingScheduler } from './billing-scheduler';

export class ListBillingRunsQuery extends ListQueryDto {
  @IsOptional()
  @IsString()
  @Length(1, 128)
  test_clock?: string;
}

export interface BillingRunJson {
  id: string;
  cycle_end: string;
  test_clock: string | null;
  started_at: string;
  finished_at: string | null;
  invoices_issued: number;
  failures: BillingRunFailure[];
}

@Controller()
export class BillingRunsController {
  constructor(
    private readonly runs: BillingRunsRepository,
    private readonly scheduler: BillingScheduler,
  ) {}

  @Get('v1/billing-runs')
  async list(@Query() query: ListBillingRunsQuery): Promise<Page<BillingRunJson>> {
    const limit = listLimit(query);
    let beforeSeq: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSeq = await this.runs.seqOf(query.starting_after);
      if (beforeSeq === undefined) throw unknownCursor(query.starting_after);
    }
    const rows = await this.runs.list(limit, beforeSeq, query.test_clock);
    return toPage(
      rows.map((row) => ({
        id: row.id,
        cycle_end: row.cycle_end.toISOString(),
        test_clock: row.test_clock,
        started_at: row.started_at.toISOString(),
        finished_at: row.finished_at ? row.finished_at.toISOString() : null,
        invoices_issued: row.invoices_issued,
        failures: row.failures,
      })),
      limit,
      (run) => run.id,
    );
  }

  /** Runs a pass now in this instance (not exposed by the gateway: operators and tests). */
  @Post('internal/billing-runs')
  @HttpCode(200)
  runNow(): Promise<BillingPassResult> {
    return this.scheduler.runNow();
  }
}
