import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from '@abaxus/domain/webhooks/webhook-event-types';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';

const EVENT_TYPES_MESSAGE = `each value of events must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`;

/** The fields PATCH may replace; an absent field stays as it is, `description: null` clears it. */
export class UpdateWebhookEndpointDto {
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'events must name at least one event type' })
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique({ message: 'events must not repeat an event type' })
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: EVENT_TYPES_MESSAGE })
  events?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @IsOptional()
  @IsIn(['enabled', 'disabled'], { message: 'status must be "enabled" or "disabled"' })
  status?: 'enabled' | 'disabled';
}

/** Body of POST /v1/webhook-endpoints. */
export class CreateWebhookEndpointDto {
  @IsString({ message: 'url is required: the https (or http) address the events are posted to' })
  @MaxLength(2048)
  url: string;

  @IsArray({ message: `events is required: a list of event types (${WEBHOOK_EVENT_TYPES.join(', ')})` })
  @ArrayMinSize(1, { message: 'events must name at least one event type' })
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique({ message: 'events must not repeat an event type' })
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: EVENT_TYPES_MESSAGE })
  events: string[];

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class ListWebhookEndpointsQuery extends ListQueryDto {
  @IsOptional()
  @IsIn(['enabled', 'disabled'], { message: 'status must be "enabled" or "disabled"' })
  status?: 'enabled' | 'disabled';
}

export class ListDeliveriesQuery extends ListQueryDto {
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'], { message: 'status must be one of pending, succeeded, failed' })
  status?: 'pending' | 'succeeded' | 'failed';

  @IsOptional()
  @IsIn(WEBHOOK_EVENT_TYPES, { message: `event_type must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  event_type?: string;
}
