import { AggregationType, finalValue } from '@abaxus/domain/aggregation/aggregation-state';
import { parseEventInstant } from '@abaxus/usage-events/event-timestamp';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { dailyDeltas, dayStartOf, mergesInSql, wholeDays } from './daily-rollups';
import { bucketDeltas } from './hourly-buckets';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

const event = (key: string, aggregationType: AggregationType, timestamp: string, value: string, subscriptionId: string | null = null) =>
  ({
    idempotencyKey: key,
    customerId: 'cust_a',
    subscriptionId,
    metricKey: aggregationType,
    aggregationType,
    value,
    instant: parseEventInstant(timestamp)!,
    propertiesJson: null,
    dimensions: [],
    dimensionKey: '{}',
    seq: key.replace(/\D/g, ''),
  }) satisfies ValidUsageEvent & { seq: string };

describe('dailyDeltas', () => {
  it('merges the hourly deltas of each UTC day per key, for the types the database merges only', () => {
    const days = dailyDeltas(
      bucketDeltas([
        event('e1', 'sum', '2026-03-17T00:00:00Z', '5'),
        event('e2', 'sum', '2026-03-17T23:59:59.999999Z', '2.5'),
        event('e3', 'sum', '2026-03-18T00:30:00+01:00', '1'),
        event('e4', 'sum', '2026-03-18T00:00:00Z', '4'),
        event('e5', 'sum', '2026-03-17T12:00:00Z', '10', 'sub_1'),
        event('e6', 'max', '2026-03-17T01:00:00Z', '3'),
        event('e7', 'max', '2026-03-17T22:00:00Z', '-1'),
        event('e8', 'unique_count', '2026-03-17T22:00:00Z', 'a'),
        event('e9', 'latest', '2026-03-17T22:00:00Z', '1'),
      ]),
    );
    expect(days.map((d) => [d.metricKey, new Date(d.hourMillis).toISOString(), d.subscriptionKey, finalValue(d.state)])).toEqual([
      ['sum', '2026-03-17T00:00:00.000Z', '', '8.5'], // e3 is 23:30 UTC on the 17th
      ['sum', '2026-03-18T00:00:00.000Z', '', '4'],
      ['sum', '2026-03-17T00:00:00.000Z', 'sub_1', '10'],
      ['max', '2026-03-17T00:00:00.000Z', '', '3'],
    ]);
  });

  it('knows which types keep rollups', () => {
    expect((['sum', 'count', 'max', 'min', 'unique_count', 'latest', 'weighted_sum'] as const).filter(mergesInSql)).toEqual(['sum', 'count', 'max', 'min']);
  });
});

describe('wholeDays', () => {
  it('takes the whole UTC days inside whole hours, and an empty range when none fits', () => {
    const iso = ({ fromDay, toDay }: { fromDay: number; toDay: number }) => [new Date(fromDay).toISOString(), new Date(toDay).toISOString()];
    expect(iso(wholeDays(at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z')))).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(iso(wholeDays(at('2026-03-14T23:00:00Z'), at('2026-03-17T05:00:00Z')))).toEqual(['2026-03-15T00:00:00.000Z', '2026-03-17T00:00:00.000Z']);
    expect(iso(wholeDays(at('2026-03-15T01:00:00Z'), at('2026-03-16T01:00:00Z')))).toEqual(['2026-03-16T01:00:00.000Z', '2026-03-16T01:00:00.000Z']);
    expect(iso(wholeDays(at('2026-03-15T00:00:00Z'), at('2026-03-15T00:00:00Z') + 23 * HOUR))).toEqual([
      '2026-03-15T23:00:00.000Z',
      '2026-03-15T23:00:00.000Z',
    ]);
    expect(dayStartOf(at('2026-03-15T23:59:59Z'))).toBe(at('2026-03-15T00:00:00Z'));
  });
});
