import { IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { AGGREGATION_TYPES, AggregationType } from '@abaxus/domain/aggregation/aggregation-state';
import { VALUE_TYPES, ValueType } from '@abaxus/domain/aggregation/metric-value';
import { IsClientId } from '../validation/client-id.validator';

/** Body of POST /v1/metrics. */
export class CreateMetricDto {
  @IsClientId()
  key: string;

  /** Defaults to the key. */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string | null;

  @IsIn(AGGREGATION_TYPES, { message: `aggregation_type must be one of ${AGGREGATION_TYPES.join(', ')}` })
  aggregation_type: AggregationType;

  /** Required, except for `count` (which ignores values): there it defaults to integer. */
  @ValidateIf((body: CreateMetricDto) => body.aggregation_type !== 'count' || (body.value_type !== undefined && body.value_type !== null))
  @IsIn(VALUE_TYPES, { message: `value_type must be one of ${VALUE_TYPES.join(', ')}` })
  value_type?: ValueType | null;

  /** Checked by parseMetricDimensions in the service, which names each bad entry's path. */
  @IsOptional()
  dimensions?: unknown;
}
