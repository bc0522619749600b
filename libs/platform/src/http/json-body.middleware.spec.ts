import { numbersFitDoubles, parseJsonLosslessly } from './json-body.middleware';

describe('parseJsonLosslessly', () => {
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
