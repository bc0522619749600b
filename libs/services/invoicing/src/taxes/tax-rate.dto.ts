import { Allow, IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { CLIENT_ID_PATTERN } from '@abaxus/domain/client-id';

/** Body of POST /v1/tax-rates; the percentage is checked by the domain rule. */
export class CreateTaxRateDto {
  @Matches(CLIENT_ID_PATTERN, { message: 'id must match ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' })
  id: string;

  @IsString()
  @Length(1, 200)
  display_name: string;

  @Allow()
  percentage: unknown;

  @IsBoolean()
  inclusive: boolean;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  jurisdiction?: string | null;
}
