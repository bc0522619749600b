import { Allow, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsRfc3339Timestamp } from '@abaxus/platform/http/rfc3339-timestamp.validator';
import type { CreditCategory } from '@abaxus/domain/adjustments/credit-consumption';

/** Body of POST /v1/customers/{id}/credit-grants; amount and currency are checked by the domain rule. */
export class CreateCreditGrantDto {
  @Allow()
  amount: unknown;

  @Allow()
  currency: unknown;

  @IsIn(['paid', 'promotional'])
  category: CreditCategory;

  @IsOptional()
  @IsRfc3339Timestamp()
  expires_at?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  priority?: number;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string | null;
}
