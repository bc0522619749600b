import { checkSelectionDimensions, dimensionKeyOf, dimensionValuesOf, groupOf, isSelected, WHOLE_USAGE } from './usage-selection';

describe('dimension values and bucket keys', () => {
  it('keeps only string values of the declared dimensions, in declared order, whatever the properties order', () => {
    const properties = JSON.stringify({ region: 'eu', tier: 3, model: 'gpt-4o', extra: 'x', flag: true });
    expect(dimensionValuesOf(['model', 'region', 'tier', 'flag'], properties)).toEqual({ model: 'gpt-4o', region: 'eu' });
    expect(dimensionKeyOf(['model', 'region'], properties)).toBe('{"model":"gpt-4o","region":"eu"}');
    expect(dimensionKeyOf(['model', 'region'], JSON.stringify({ model: 'gpt-4o', region: 'eu' }))).toBe(
      dimensionKeyOf(['model', 'region'], JSON.stringify({ region: 'eu', model: 'gpt-4o' })),
    );
  });

  it('keys events without values, and metrics without dimensions, as {}', () => {
    expect(dimensionKeyOf([], JSON.stringify({ model: 'gpt-4o' }))).toBe('{}');
    expect(dimensionKeyOf(['model'], null)).toBe('{}');
    expect(dimensionKeyOf(['model'], JSON.stringify({ model: null }))).toBe('{}');
  });
});

describe('selections', () => {
  const selection = { filters: { model: ['a', 'b'], region: ['eu'] }, exclude: [{ model: ['b'] }], groupBy: ['region'] };

  it('ORs the values of one property, ANDs properties, and leaves out excluded events', () => {
    expect(isSelected(selection, { model: 'a', region: 'eu' })).toBe(true);
    expect(isSelected(selection, { model: 'b', region: 'eu' })).toBe(false);
    expect(isSelected(selection, { model: 'a', region: 'us' })).toBe(false);
    expect(isSelected(selection, { model: 'a' })).toBe(false);
    expect(isSelected(WHOLE_USAGE, {})).toBe(true);
  });

  it('groups an event without a value under null', () => {
    expect(groupOf(['region', 'model'], { model: 'a' })).toEqual([null, 'a']);
  });

  it('names every property that is not a dimension of the metric at its field', () => {
    const paths = { filter: (p: string) => `filter[${p}]`, groupBy: (i: number) => `group_by[${i}]` };
    expect(checkSelectionDimensions(selection, 'tokens', ['model'], paths)).toEqual([
      { field: 'filter[region]', message: '"region" is not a dimension of metric tokens (its dimensions are model)' },
      { field: 'group_by[0]', message: '"region" is not a dimension of metric tokens (its dimensions are model)' },
    ]);
    expect(checkSelectionDimensions(selection, 'calls', [], paths)[0].message).toContain('it has none');
  });
});
