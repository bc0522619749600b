import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
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
}
