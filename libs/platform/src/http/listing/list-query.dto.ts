import { IsOptional, IsString, Length, Matches } from 'class-validator';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 500;

/** `limit` (1–500, default 50) and `starting_after` (the last id of the previous page). */
export class ListQueryDto {
  @IsOptional()
  @Matches(/^(?:[1-9]\d?|[1-4]\d\d|500)$/, { message: `limit must be an integer from 1 to ${MAX_LIST_LIMIT}` })
  limit?: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  starting_after?: string;
}

export function listLimit(query: ListQueryDto): number {
  return query.limit === undefined ? DEFAULT_LIST_LIMIT : Number(query.limit);
}
