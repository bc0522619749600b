import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Page } from '@abaxus/platform/http/listing/page';
import { UsageAlertJson } from './usage-alert-json';
import { CreateUsageAlertDto, ListUsageAlertsQuery } from './usage-alert.dto';
import { UsageAlertsService } from './usage-alerts.service';

@Controller('v1/alerts')
export class UsageAlertsController {
  constructor(private readonly alerts: UsageAlertsService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateUsageAlertDto): Promise<UsageAlertJson> {
    return this.alerts.create(body);
  }

  @Get()
  list(@Query() query: ListUsageAlertsQuery): Promise<Page<UsageAlertJson>> {
    return this.alerts.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<UsageAlertJson> {
    return this.alerts.get(id);
  }

  @Delete(':id')
  delete(@Param('id') id: string): Promise<{ id: string; deleted: true }> {
    return this.alerts.delete(id);
  }
}
