import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Page } from '@abaxus/platform/http/listing/page';
import { WebhookEndpointJson } from './webhook-endpoint-json';
import { CreateWebhookEndpointDto, ListWebhookEndpointsQuery, UpdateWebhookEndpointDto } from './webhook-endpoint.dto';
import { WebhookEndpointsService } from './webhook-endpoints.service';

@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateWebhookEndpointDto): Promise<WebhookEndpointJson & { secret: string }> {
    return this.endpoints.create(body);
  }

  @Get()
  list(@Query() query: ListWebhookEndpointsQuery): Promise<Page<WebhookEndpointJson>> {
    return this.endpoints.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<WebhookEndpointJson> {
    return this.endpoints.get(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: UpdateWebhookEndpointDto): Promise<WebhookEndpointJson> {
    return this.endpoints.update(id, body);
  }

  @Delete(':id')
  delete(@Param('id') id: string): Promise<{ id: string; deleted: true }> {
    return this.endpoints.delete(id);
  }
}
