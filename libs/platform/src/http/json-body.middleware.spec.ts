import { parseJsonLosslessly } from './json-body.middleware';

describe('parseJsonLosslessly', () => {
  it('keeps a number a double cannot hold as its exact text, where a decimal may stand', () => {
    expect(parseJsonLosslessly('{"value": 0.12345678901234567891, "tiers": [{"up_to": 12345678901234567890}], "n": 1.5}')).toEqual({
      value: '0.12345678901234567891',
      tiers: [{ up_to: '12345678901234567890' }],
      n: 1.5,
    });
  });

  it('leaves such a number a number under an id, a key or a name, so that string validation refuses it', () => {
    const parsed = parseJsonLosslessly(
      '{"id": 12345678901234567890, "metric_key": 1e999, "display_name": 0.12345678901234567891, "customer_id": 12345678901234567890}',
    ) as Record<string, unknown>;
    expect(Object.values(parsed).map((value) => typeof value)).toEqual(['number', 'number', 'number', 'number']);
  });

  it('keeps the exact text inside event properties and metadata, whatever the key', () => {
    expect(parseJsonLosslessly('{"events":[{"properties":{"user_id":12345678901234567890}}],"metadata":{"order_id":12345678901234567890}}')).toEqual({
      events: [{ properties: { user_id: '12345678901234567890' } }],
      metadata: { order_id: '12345678901234567890' },
    });
  });
});
