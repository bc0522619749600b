import { IsOptional, IsString, Length } from 'class-validator';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';
import { IsClientId } from '../validation/client-id.validator';
import { IsRfc3339Timestamp } from '@abaxus/platform/http/rfc3339-timestamp.validator';

/** Body of POST /v1/subscriptions. */
export class CreateSubscriptionDto {
  @IsClientId()
  customer_id: string;

  @IsClientId()
  plan_id: string;

  /** Defaults to now; a future date makes the subscription pending until then. */
  @IsOptional()
  @IsRfc3339Timestamp()
  start_date?: string | null;

  /** Until then flat fees are not charged (usage is); after start_date. */
  @IsOptional()
  @IsRfc3339Timestamp()
  trial_end?: string | null;

  /** A test clock (clock_…): the subscription then lives in that clock's time. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  test_clock?: string | null;
}

/** Body of POST /v1/subscriptions/{id}/cancel (may be empty). */
export class CancelSubscriptionDto {
  /** When usage stops being billed; defaults to now. */
  @IsOptional()
  @IsRfc3339Timestamp()
  at?: string | null;
}

/** Body of POST /v1/subscriptions/{id}/change. */
export class ChangeSubscriptionPlanDto {
  /** The plan to move to; its latest version is pinned. */
  @IsClientId()
  plan_id: string;

  /** When the new plan takes over; defaults to now (the subscription's clock). A future instant schedules the change. */
  @IsOptional()
  @IsRfc3339Timestamp()
  at?: string | null;
}

export class ListSubscriptionsQueryDto extends ListQueryDto {
  @IsOptional()
  @IsString()
  @Length(1, 128)
  customer_id?: string;
}
