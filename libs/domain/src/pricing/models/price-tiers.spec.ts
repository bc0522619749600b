import { chargesOf, errorsOf, fieldsOf } from '../../testing/plan-charges';

// The tier list of the tiered and volume models, read through parsePricePlanCharges.
const tiered = (tiers: unknown[]) => ({ metric_key: 'api_calls', model: 'tiered', properties: { tiers } });

describe('tiers in a plan', () => {
  it('defaults flat_amount to 0 (also when null)', () => {
    const [charge] = chargesOf([tiered([{ up_to: null, unit_amount: '1', flat_amount: null }])]);
    expect(charge.model === 'tiered' && charge.properties.tiers[0].flatAmount.toFixed()).toBe('0');
  });

  it('refuses a negative flat_amount at its field', () => {
    expect(fieldsOf([tiered([{ up_to: null, unit_amount: '1', flat_amount: '-3' }])])).toEqual(['charges[0].properties.tiers[0].flat_amount']);
  });

  it('not an array, or empty', () => {
    expect(errorsOf([tiered('x' as unknown as unknown[])])).toEqual([{ field: 'charges[0].properties.tiers', message: 'must be an array of tiers' }]);
    expect(errorsOf([tiered([])])).toEqual([{ field: 'charges[0].properties.tiers', message: 'must contain at least one tier (the last with up_to null)' }]);
  });

  it('a tier that is not an object, or has unknown fields', () => {
    expect(fieldsOf([tiered([5, { up_to: null, unit_amount: '1', price: '2' }])])).toEqual([
      'charges[0].properties.tiers[0]',
      'charges[0].properties.tiers[1].price',
    ]);
  });

  it('up_to not ascending', () => {
    expect(
      errorsOf([
        tiered([
          { up_to: 100, unit_amount: '1' },
          { up_to: 100, unit_amount: '1' },
          { up_to: null, unit_amount: '1' },
        ]),
      ]),
    ).toEqual([
      {
        field: 'charges[0].properties.tiers[1].up_to',
        message: "must be greater than the previous tier's up_to (100); tiers ascend strictly",
      },
    ]);
    expect(
      fieldsOf([
        tiered([
          { up_to: '10.5', unit_amount: '1' },
          { up_to: '10.25', unit_amount: '1' },
          { up_to: null, unit_amount: '1' },
        ]),
      ]),
    ).toEqual(['charges[0].properties.tiers[1].up_to']);
  });

  it('missing last open tier', () => {
    expect(
      errorsOf([
        tiered([
          { up_to: 10, unit_amount: '1' },
          { up_to: 20, unit_amount: '1' },
        ]),
      ]),
    ).toEqual([{ field: 'charges[0].properties.tiers[1].up_to', message: 'the last tier must have up_to null (no upper bound)' }]);
  });

  it('null up_to before the last tier', () => {
    expect(
      errorsOf([
        tiered([
          { up_to: null, unit_amount: '1' },
          { up_to: null, unit_amount: '1' },
        ]),
      ]),
    ).toEqual([{ field: 'charges[0].properties.tiers[0].up_to', message: 'only the last tier may have up_to null' }]);
  });

  it('missing up_to and unit_amount', () => {
    expect(errorsOf([tiered([{ unit_amount: '1' }, { up_to: null }])])).toEqual([
      { field: 'charges[0].properties.tiers[0].up_to', message: 'is required' },
      { field: 'charges[0].properties.tiers[1].unit_amount', message: 'is required' },
    ]);
    expect(errorsOf([tiered([{ unit_amount: '1' }])])).toEqual([
      { field: 'charges[0].properties.tiers[0].up_to', message: 'is required: null for the last tier (no upper bound)' },
    ]);
  });

  it.each([
    [0, 'must be greater than 0'],
    ['-5', 'must not be negative'],
    ['1.0000000000001', 'must have at most 12 fractional digits'],
    ['ten', 'must be a plain decimal number'],
  ])('up_to %p → %s', (value, fragment) => {
    const [issue] = errorsOf([
      tiered([
        { up_to: value, unit_amount: '1' },
        { up_to: null, unit_amount: '1' },
      ]),
    ]);
    expect(issue.field).toBe('charges[0].properties.tiers[0].up_to');
    expect(issue.message).toContain(fragment);
  });

  it('reports the volume model the same way', () => {
    expect(fieldsOf([{ metric_key: 'api_calls', model: 'volume', properties: { tiers: [{ up_to: 5, unit_amount: '1' }] } }])).toEqual([
      'charges[0].properties.tiers[0].up_to',
    ]);
  });
});
