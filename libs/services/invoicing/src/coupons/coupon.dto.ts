import { Allow, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { CLIENT_ID_PATTERN } from '@abaxus/domain/client-id';
import type { CouponDuration } from '@abaxus/domain/adjustments/invoice-adjustments';
import { IsRfc3339Timestamp } from '@abaxus/platform/http/rfc3339-timestamp.validator';

/** Body of POST /v1/coupons; the money terms are checked by the domain rule. */
export class CreateCouponDto {
  @Matches(CLIENT_ID_PATTERN, { message: 'id must match ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' })
  id: string;

  @Allow()
  percent_off?: unknown;

  @Allow()
  amount_off?: unknown;

  @Allow()
  currency?: unknown;

  @IsIn(['once', 'repeating', 'forever'])
  duration: CouponDuration;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  duration_in_cycles?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  max_redemptions?: number | null;

  /** After this instant the coupon can no longer be attached (Stripe's `redeem_by`). */
  @IsOptional()
  @IsRfc3339Timestamp()
  redeem_by?: string | null;
}

/** Body of POST /v1/customers/{id}/discounts. */
export class CreateDiscountDto {
  @IsString()
  @Length(1, 128)
  coupon_id: string;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  subscription_id?: string | null;
}
