import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { MetricRecord } from '@abaxus/contracts/catalog-events';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';
import { Page } from '@abaxus/platform/http/listing/page';
import { CreateMetricDto } from './create-metric.dto';
import { MetricsService } from './metrics.service';

@Controller('v1/metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateMetricDto): Promise<MetricRecord> {
    return this.metrics.create(body);
  }

  @Get()
  list(@Query() query: ListQueryDto): Promise<Page<MetricRecord>> {
    return this.metrics.list(query);
  }

  @Get(':key')
  get(@Param('key') key: string): Promise<MetricRecord> {
    return this.metrics.get(key);
  }
}
