import { applyDecorators } from '@nestjs/common';
import { IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { CLIENT_ID_PATTERN } from '@abaxus/domain/client-id';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';

/** A customer id or metric key, per the contract's pattern for ids chosen by the client. */
function IsClientId(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(CLIENT_ID_PATTERN, { message: '$property must be 1 to 128 characters: letters, digits, "_", ".", ":" or "-", starting with a letter or digit' }),
  );
}

/** Body of POST /v1/alerts; `threshold` is read by libs/domain's parseAlertThreshold. */
export class CreateUsageAlertDto {
  @IsClientId()
  customer_id: string;

  @IsOptional()
  @IsClientId()
  metric_key?: string;

  @IsObject({ message: 'threshold is required: {"usage": "100000"} or {"amount": "500.00"}' })
  threshold: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'filters must be an object of property names to lists of values' })
  filters?: Record<string, unknown>;
}

export class ListUsageAlertsQuery extends ListQueryDto {
  @IsOptional()
  @IsClientId()
  customer_id?: string;
}
