import { IsOptional, IsString, Length } from 'class-validator';
import { IsRfc3339Timestamp } from '@abaxus/platform/http/rfc3339-timestamp.validator';

export class CreateTestClockDto {
  @IsRfc3339Timestamp()
  frozen_time: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string | null;
}

export class AdvanceTestClockDto {
  @IsRfc3339Timestamp()
  frozen_time: string;
}
