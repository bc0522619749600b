import { numbersFitDoubles, parseJsonLosslessly } from './json-body.middleware';

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

describe('parseJsonLosslessly: every number exact', () => {
  it('keeps every number exact: those a double cannot hold come back as their literal text', () => {
    expect(parseJsonLosslessly('{"a":12345678901234567890,"b":1234567890.123456789,"c":1.5,"d":[0.1,-7,1e400,2E-3]}')).toEqual({
      a: '12345678901234567890',
      b: '1234567890.123456789',
      c: 1.5,
      d: [0.1, -7, '1e400', 0.002],
    });
  });

  it('reads digits and exponents inside strings as text, escaped quotes included', () => {
    expect(parseJsonLosslessly('{"k":"1234567890123456789e5\\"99999999999999999","v":"1"}')).toEqual({ k: '1234567890123456789e5"99999999999999999', v: '1' });
  });
});

describe('numbersFitDoubles (the native parser may read the text)', () => {
  it.each([
    ['{"value":123456789012345,"x":-1.25}', true],
    ['{"id":"550e8400-e29b-41d4-a716-446655440000","n":"99999999999999999999"}', true],
    ['{"k":"a\\"","n":1234567890123456}', false],
    ['{"n":1234567890.1234567}', false],
    ['[1e5]', false],
    ['[0.5E1]', false],
  ])('%s → %s', (text, expected) => {
    expect(numbersFitDoubles(text)).toBe(expected);
  });
});
