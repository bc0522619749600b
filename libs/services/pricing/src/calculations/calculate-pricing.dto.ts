import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNotEmpty, IsString, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { IsRfc3339Timestamp } from '@abaxus/platform/http/rfc3339-timestamp.validator';

/** Body of POST /v1/pricing/calculate. The period is half-open: [period_start, period_end). */
export class CalculatePricingDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  customer_id: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  subscription_id: string;

  @IsRfc3339Timestamp()
  period_start: string;

  @IsRfc3339Timestamp()
  period_end: string;

  /**
   * With plan_version: price this plan version of the subscription (its pinned one or one of its
   * phases') instead of the pinned one — how a period split at a plan change is priced per phase.
   */
  @ValidateIf((body: CalculatePricingDto) => body.plan_id !== undefined || body.plan_version !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  plan_id?: string;

  @ValidateIf((body: CalculatePricingDto) => body.plan_id !== undefined || body.plan_version !== undefined)
  @IsInt()
  @Min(1)
  plan_version?: number;

  /**
   * With weight_period_end: the longer period [period_start, period_end) is a piece of (a plan
   * phase of a cycle). A weighted_sum metric is then weighed over it, so the pieces of one period
   * add up to its usage (Part II §8: the weight splits at the instant of a plan change).
   */
  @ValidateIf((body: CalculatePricingDto) => body.weight_period_start !== undefined || body.weight_period_end !== undefined)
  @IsRfc3339Timestamp()
  weight_period_start?: string;

  @ValidateIf((body: CalculatePricingDto) => body.weight_period_start !== undefined || body.weight_period_end !== undefined)
  @IsRfc3339Timestamp()
  weight_period_end?: string;
}

/** At most this many calculations in one batch: a billing run's claimed batch, with room to spare. */
export const MAX_BATCH_CALCULATIONS = 500;

/** Body of the internal POST /internal/v1/pricing/calculate-batch: calculations each as POST /v1/pricing/calculate takes it. */
export class CalculateBatchDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_CALCULATIONS)
  @ValidateNested({ each: true })
  @Type(() => CalculatePricingDto)
  calculations: CalculatePricingDto[];
}
