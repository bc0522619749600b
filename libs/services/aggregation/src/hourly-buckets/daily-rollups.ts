import { AggregationType } from '@abaxus/domain/aggregation/aggregation-state';

const DAY_MS = 86_400_000;

/**
 * The types whose states the database merges exactly with one SQL aggregate over the state's one
 * decimal field (named as the type): they also have daily rollups (kept by the database, migration
 * 1710000000800), so a month reads 31 rows per bucket key instead of 744. Other types (sets of
 * values, change points) keep hourly buckets only.
 */
export const MERGED_IN_SQL: Partial<Record<AggregationType, 'SUM' | 'MAX' | 'MIN'>> = {
  sum: 'SUM',
  count: 'SUM',
  max: 'MAX',
  min: 'MIN',
};

export function mergesInSql(type: AggregationType): boolean {
  return MERGED_IN_SQL[type] !== undefined;
}

/**
 * The whole UTC days inside whole hours [fromHour, toHour): read from the daily rollups, the hours
 * before and after them from the hourly buckets. An empty range (fromDay = toDay = toHour) when
 * no whole day fits.
 */
export function wholeDays(fromHour: number, toHour: number): { fromDay: number; toDay: number } {
  const fromDay = Math.ceil(fromHour / DAY_MS) * DAY_MS;
  const toDay = Math.floor(toHour / DAY_MS) * DAY_MS;
  return fromDay < toDay ? { fromDay, toDay } : { fromDay: toHour, toDay: toHour };
}
