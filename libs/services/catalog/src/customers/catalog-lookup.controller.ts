import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import type { CustomerRecord } from '@abaxus/contracts/catalog-events';
import { SubscriptionView } from '../subscriptions/subscription-status';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { CustomersService } from './customers.service';

/** At most this many ids in one look-up: a billing run's batch, with room to spare. */
const MAX_LOOKUP_IDS = 500;

export class LookupIdsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LOOKUP_IDS)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  ids: string[];
}

/**
 * Internal: many customers or subscriptions in one call, each as its GET /v1/… route shows it
 * (invoicing's billing run and pricing's batch read a whole batch's with it); ids that do not
 * exist are left out. Not under /v1, so the gateway never routes to it.
 */
@Controller('internal/v1/catalog')
export class CatalogLookupController {
  constructor(
    private readonly customers: CustomersService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  @Post('customers')
  @HttpCode(200)
  async customersById(@Body() body: LookupIdsDto): Promise<{ data: CustomerRecord[] }> {
    return { data: await this.customers.findMany(body.ids) };
  }

  @Post('subscriptions')
  @HttpCode(200)
  async subscriptionsById(@Body() body: LookupIdsDto): Promise<{ data: SubscriptionView[] }> {
    return { data: await this.subscriptions.findMany(body.ids) };
  }
}
