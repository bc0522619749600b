import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { EmptyBodyDto } from '@abaxus/platform/http/empty-body.dto';
import { Page } from '@abaxus/platform/http/listing/page';
import { ListDeliveriesQuery } from '../endpoints/webhook-endpoint.dto';
import { DeliveryDetailJson, DeliveryJson, WebhookDeliveriesService } from './webhook-deliveries.service';

@Controller('v1/webhook-endpoints/:endpointId/deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Get()
  list(@Param('endpointId') endpointId: string, @Query() query: ListDeliveriesQuery): Promise<Page<DeliveryJson>> {
    return this.deliveries.list(endpointId, query);
  }

  @Get(':id')
  get(@Param('endpointId') endpointId: string, @Param('id') id: string): Promise<DeliveryDetailJson> {
    return this.deliveries.get(endpointId, id);
  }

  /** 202: the attempt is made by the sender, at once; the answer shows the delivery as now queued. */
  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('endpointId') endpointId: string, @Param('id') id: string, @Body() _body: EmptyBodyDto): Promise<DeliveryJson> {
    return this.deliveries.retry(endpointId, id);
  }
}
