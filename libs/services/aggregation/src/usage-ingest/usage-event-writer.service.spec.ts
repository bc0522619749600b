import { parseEventInstant } from '@abaxus/usage-events/event-timestamp';
import { ValidUsageEvent } from '@abaxus/usage-events/usage-event-rules';
import { firstPerKey } from './usage-event-writer.service';

const event = (key: string, timestamp: string, value: string): ValidUsageEvent => ({
  idempotencyKey: key,
  customerId: 'cust_a',
  subscriptionId: null,
  metricKey: 'calls',
  aggregationType: 'latest',
  value,
  instant: parseEventInstant(timestamp)!,
  propertiesJson: null,
  dimensions: [],
  dimensionKey: '{}',
});

describe('firstPerKey', () => {
  it('keeps the first event of each key', () => {
    const kept = firstPerKey([event('k1', '2026-03-17T10:00:00Z', '1'), event('k1', '2026-03-17T11:00:00Z', '9'), event('k2', '2026-03-17T10:00:00Z', '2')]);
    expect(kept.map((e) => [e.idempotencyKey, e.value])).toEqual([
      ['k1', '1'],
      ['k2', '2'],
    ]);
  });
});
