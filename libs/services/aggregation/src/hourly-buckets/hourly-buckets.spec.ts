import { finalValue } from '@abaxus/domain/aggregation/aggregation-state';
import { parseEventInstant } from '@abaxus/usage-events/event-timestamp';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { ALL_DIMENSION_VALUES_KEY, bucketDeltas, NO_SUBSCRIPTION, touchedBuckets } from './hourly-buckets';

const event = (key: string, timestamp: string, value: string, subscriptionId: string | null = null): ValidUsageEvent & { seq: string } => ({
  idempotencyKey: key,
  customerId: 'cust_a',
  subscriptionId,
  metricKey: 'calls',
  aggregationType: 'latest',
  value,
  instant: parseEventInstant(timestamp)!,
  propertiesJson: null,
  dimensions: [],
  dimensionKey: '{}',
  seq: key.replace(/\D/g, ''),
});

describe('bucketDeltas', () => {
  it('groups events per UTC hour and subscription, ties going to the later sequence', () => {
    const deltas = bucketDeltas([
      event('e1', '2026-03-17T10:59:59.999999Z', '1'),
      event('e2', '2026-03-17T11:00:00+00:00', '2'),
      event('e3', '2026-03-17T12:30:00+01:00', '3'),
      event('e4', '2026-03-17T10:10:00Z', '4', 'sub_1'),
    ]);
    expect(deltas.map((d) => [new Date(d.hourMillis).toISOString(), d.subscriptionKey, finalValue(d.state)])).toEqual([
      ['2026-03-17T10:00:00.000Z', NO_SUBSCRIPTION, '1'],
      ['2026-03-17T11:00:00.000Z', NO_SUBSCRIPTION, '3'],
      ['2026-03-17T10:00:00.000Z', 'sub_1', '4'],
    ]);
  });

  it('keeps a bucket per combination of dimension values, plus the hour’s rollup of them all', () => {
    const dimensional = (key: string, dimensionKey: string, value: string) => ({
      ...event(key, '2026-03-17T10:00:00Z', value),
      dimensions: ['model'],
      dimensionKey,
    });
    const deltas = bucketDeltas([dimensional('e1', '{"model":"a"}', '1'), dimensional('e2', '{"model":"b"}', '2'), dimensional('e3', '{"model":"a"}', '3')]);
    expect(deltas.map((d) => [d.dimensionKey, finalValue(d.state)])).toEqual([
      ['{"model":"a"}', '3'],
      [ALL_DIMENSION_VALUES_KEY, '3'],
      ['{"model":"b"}', '2'],
    ]);
  });

  it('lists each touched bucket once', () => {
    expect(touchedBuckets([event('e1', '2026-03-17T10:00:00Z', '1'), event('e2', '2026-03-17T10:59:00Z', '2')])).toHaveLength(1);
  });
});
