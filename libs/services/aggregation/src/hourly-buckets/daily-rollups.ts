import { AggregationType, mergeStates } from '@abaxus/domain/aggregation/aggregation-state';
import { BucketDelta, bucketId } from './hourly-buckets';

const DAY_MS = 86_400_000;

/**
 * The types whose states the database merges exactly with one SQL aggregate over the state's one
 * decimal field (named as the type): they also keep daily rollups, so a month reads 31 rows per
 * bucket key instead of 744. Other types (sets of values, change points) keep hourly buckets only.
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

/** Start of the UTC day holding `millis`. */
export function dayStartOf(millis: number): number {
  return Math.floor(millis / DAY_MS) * DAY_MS;
}

/**
 * The whole UTC days inside whole hours [fromHour, toHour): read from the daily rollups, the hours
 * before and after them from the hourly buckets. An empty range (fromDay = toDay = toHour) when
 * no whole day fits.
 */
export function wholeDays(fromHour: number, toHour: number): { fromDay: number; toDay: number } {
  const fromDay = Math.ceil(fromHour / DAY_MS) * DAY_MS;
  const toDay = dayStartOf(toHour);
  return fromDay < toDay ? { fromDay, toDay } : { fromDay: toHour, toDay: toHour };
}

/**
 * A batch's hourly deltas of the SQL-merged types, merged per UTC day (one row per daily key, as
 * one upsert statement requires). `hourMillis` holds the day's start.
 */
export function dailyDeltas(deltas: BucketDelta[]): BucketDelta[] {
  const days = new Map<string, BucketDelta>();
  for (const delta of deltas) {
    if (!mergesInSql(delta.aggregationType)) continue;
    const day = { ...delta, hourMillis: dayStartOf(delta.hourMillis) };
    const id = bucketId(day);
    const seen = days.get(id);
    days.set(id, seen ? { ...seen, state: mergeStates(seen.state, delta.state) } : day);
  }
  return [...days.values()];
}
