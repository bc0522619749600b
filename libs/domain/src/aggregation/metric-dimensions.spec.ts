import { parseMetricDimensions } from './metric-dimensions';

describe('parseMetricDimensions', () => {
  it('reads absent or null as none and keeps the given order', () => {
    expect(parseMetricDimensions(undefined)).toEqual({ ok: true, dimensions: [] });
    expect(parseMetricDimensions(null)).toEqual({ ok: true, dimensions: [] });
    expect(parseMetricDimensions(['region', 'model', 'tier_v2', 'a.b', '_x'])).toEqual({ ok: true, dimensions: ['region', 'model', 'tier_v2', 'a.b', '_x'] });
  });

  it('refuses more than 5, a repeat, a non-name and a non-array, each at its path', () => {
    expect(parseMetricDimensions(['a', 'b', 'c', 'd', 'e', 'f'])).toEqual({
      ok: false,
      errors: [{ field: 'dimensions', message: 'must name at most 5 properties' }],
    });
    expect(parseMetricDimensions(['region', 'region'])).toEqual({ ok: false, errors: [{ field: 'dimensions[1]', message: 'repeats "region"' }] });
    const invalid = parseMetricDimensions(['ok', '', 7, '1st', 'x'.repeat(65)]);
    expect(invalid.ok ? [] : invalid.errors.map((issue) => issue.field)).toEqual(['dimensions[1]', 'dimensions[2]', 'dimensions[3]', 'dimensions[4]']);
    expect(parseMetricDimensions('region')).toEqual({ ok: false, errors: [{ field: 'dimensions', message: 'must be an array of event property names' }] });
  });
});
