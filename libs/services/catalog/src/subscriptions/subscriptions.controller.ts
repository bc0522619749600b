import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Page } from '@abaxus/platform/http/listing/page';
import { CancelSubscriptionDto, ChangeSubscriptionPlanDto, CreateSubscriptionDto, ListSubscriptionsQueryDto } from './subscription.dto';
import { SubscriptionView } from './subscription-status';
import { SubscriptionsService } from './subscriptions.service';

@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateSubscriptionDto): Promise<SubscriptionView> {
    return this.subscriptions.create(body);
  }

  @Get()
  list(@Query() query: ListSubscriptionsQueryDto): Promise<Page<SubscriptionView>> {
    return this.subscriptions.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<SubscriptionView> {
    return this.subscriptions.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @Body() body: CancelSubscriptionDto): Promise<SubscriptionView> {
    return this.subscriptions.cancel(id, body);
  }

  @Post(':id/change')
  @HttpCode(200)
  change(@Param('id') id: string, @Body() body: ChangeSubscriptionPlanDto): Promise<SubscriptionView> {
    return this.subscriptions.change(id, body);
  }
}
