import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { PricePlanVersionRecord } from '@abaxus/contracts/catalog-events';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';
import { Page } from '@abaxus/platform/http/listing/page';
import { PricePlansService } from './price-plans.service';

@Controller('v1/price-plans')
export class PricePlansController {
  constructor(private readonly plans: PricePlansService) {}

  /** The body is validated as a whole by the service (top level and charges in one answer). */
  @Post()
  @HttpCode(201)
  create(@Body() body: unknown): Promise<PricePlanVersionRecord> {
    return this.plans.create(body);
  }

  @Get()
  listLatest(@Query() query: ListQueryDto): Promise<Page<PricePlanVersionRecord>> {
    return this.plans.listLatest(query);
  }

  @Get(':id')
  getLatest(@Param('id') id: string): Promise<PricePlanVersionRecord> {
    return this.plans.getLatest(id);
  }

  @Get(':id/versions')
  listVersions(@Param('id') id: string, @Query() query: ListQueryDto): Promise<Page<PricePlanVersionRecord>> {
    return this.plans.listVersions(id, query);
  }

  @Get(':id/versions/:version')
  getVersion(@Param('id') id: string, @Param('version') version: string): Promise<PricePlanVersionRecord> {
    return this.plans.getVersion(id, version);
  }
}
