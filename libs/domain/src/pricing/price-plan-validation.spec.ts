import { chargesOf, errorsOf, fieldsOf } from '../testing/plan-charges';
import { chargeToJson } from './charge-json';
import { parsePricePlanCharges } from './price-plan-validation';

describe('parsePricePlanCharges: valid plans', () => {
  it('accepts every model at once, with optional fields given or not', () => {
    const charges = chargesOf([
      { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: 0.5 } },
      {
        metric_key: 'storage',
        model: 'volume',
        properties: {
          tiers: [
            { up_to: '100.5', unit_amount: '1', flat_amount: '10' },
            { up_to: null, unit_amount: '0.8' },
          ],
        },
      },
      { metric_key: 'seats', model: 'package', properties: { package_size: '10', package_amount: '25', free_units: '5' } },
      { model: 'flat_fee', properties: { amount: '49.99' } },
      { model: 'flat_fee', metric_key: null, properties: { amount: '0' } },
    ]);
    expect(charges.map((c) => c.model)).toEqual(['per_unit', 'volume', 'package', 'flat_fee', 'flat_fee']);
    expect(chargeToJson(charges[2])).toEqual({
      metric_key: 'seats',
      model: 'package',
      properties: { package_size: '10', package_amount: '25', free_units: '5' },
    });
  });

  it('skips the known-metric check when no set is given', () => {
    expect(chargesOf([{ metric_key: 'anything', model: 'per_unit', properties: { unit_amount: '1' } }], null)).toHaveLength(1);
  });

  it('accepts amounts with 12 fractional digits', () => {
    expect(chargesOf([{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '0.000000000001' } }])).toHaveLength(1);
  });
});

describe('parsePricePlanCharges: errors with their field paths', () => {
  it.each([
    [undefined, 'must be an array of charges'],
    [{}, 'must be an array of charges'],
    [[], 'must contain at least one charge'],
  ])('charges = %p → charges: %s', (raw, message) => {
    expect(errorsOf(raw)).toEqual([{ field: 'charges', message }]);
  });

  it('a charge that is not an object', () => {
    expect(errorsOf([42, null, []])).toEqual([
      { field: 'charges[0]', message: 'must be an object' },
      { field: 'charges[1]', message: 'must be an object' },
      { field: 'charges[2]', message: 'must be an object' },
    ]);
  });

  it('unknown charge fields', () => {
    expect(fieldsOf([{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '1' }, name: 'x' }])).toEqual(['charges[0].name']);
  });

  it('missing or unknown model', () => {
    expect(errorsOf([{ metric_key: 'api_calls', properties: {} }])).toEqual([
      { field: 'charges[0].model', message: 'is required; one of per_unit, tiered, volume, package, flat_fee, percentage' },
    ]);
    expect(errorsOf([{ metric_key: 'api_calls', model: 'graduated', properties: {} }])).toEqual([
      { field: 'charges[0].model', message: 'must be one of per_unit, tiered, volume, package, flat_fee, percentage' },
    ]);
  });

  it('missing or non-object properties', () => {
    expect(errorsOf([{ metric_key: 'api_calls', model: 'per_unit' }])).toEqual([{ field: 'charges[0].properties', message: 'is required' }]);
    expect(errorsOf([{ metric_key: 'api_calls', model: 'per_unit', properties: '1' }])).toEqual([
      { field: 'charges[0].properties', message: 'must be an object' },
    ]);
  });

  it('unknown property fields, including fields of another model', () => {
    expect(fieldsOf([{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '1', tiers: [] } }])).toEqual(['charges[0].properties.tiers']);
    expect(fieldsOf([{ model: 'flat_fee', properties: { amount: '1', unit_amount: '2' } }])).toEqual(['charges[0].properties.unit_amount']);
  });

  it.each([
    ['per_unit', 'unit_amount'],
    ['tiered', 'tiers'],
    ['volume', 'tiers'],
    ['flat_fee', 'amount'],
  ])('missing required property of %s: %s', (model, field) => {
    const metric = model === 'flat_fee' ? {} : { metric_key: 'api_calls' };
    expect(errorsOf([{ ...metric, model, properties: {} }])).toEqual([
      { field: `charges[0].properties.${field}`, message: `is required for a ${model} charge` },
    ]);
  });

  describe('amounts', () => {
    it.each([
      ['-1', 'must not be negative'],
      [-0.5, 'must not be negative'],
      ['0.0000000000001', 'must have at most 12 fractional digits'],
      ['1e3', 'must be a plain decimal number'],
      ['', 'must not be empty'],
      [true, 'must be a decimal string'],
      [0.1 + 0.2, 'not exactly representable'],
    ])('unit_amount %p → %s', (value, fragment) => {
      const [issue] = errorsOf([{ metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: value } }]);
      expect(issue.field).toBe('charges[0].properties.unit_amount');
      expect(issue.message).toContain(fragment);
    });
  });

  describe('metric_key', () => {
    it.each(['per_unit', 'tiered', 'volume', 'package'])('is required on %s', (model) => {
      const [issue] = errorsOf([{ model, properties: {} }]);
      expect(issue).toEqual({ field: 'charges[0].metric_key', message: `is required for a ${model} charge` });
    });

    it('must be a known metric', () => {
      expect(errorsOf([{ metric_key: 'gpu_hours', model: 'per_unit', properties: { unit_amount: '1' } }])).toEqual([
        { field: 'charges[0].metric_key', message: 'unknown metric: gpu_hours' },
      ]);
    });

    it.each([42, '', ' api', '-api', 'a'.repeat(129), 'api calls'])('must have the id shape: %p', (key) => {
      expect(fieldsOf([{ metric_key: key, model: 'per_unit', properties: { unit_amount: '1' } }], null)).toEqual(['charges[0].metric_key']);
    });

    it('may appear in one charge only (reported at the later one)', () => {
      expect(
        errorsOf([
          { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '1' } },
          { metric_key: 'storage', model: 'per_unit', properties: { unit_amount: '1' } },
          { metric_key: 'api_calls', model: 'package', properties: { package_size: '1', package_amount: '1' } },
        ]),
      ).toEqual([
        {
          field: 'charges[2].metric_key',
          message: 'metric api_calls is already billed by charges[0]; a metric may appear in one charge without filters only',
        },
      ]);
    });
  });

  it('reports every problem of every charge at once, in order', () => {
    expect(
      fieldsOf([
        {
          metric_key: 'api_calls',
          model: 'tiered',
          properties: {
            tiers: [
              { up_to: 10, unit_amount: '-1' },
              { up_to: 5, unit_amount: '1' },
            ],
          },
        },
        { model: 'package', properties: { package_size: '0', package_amount: '1' } },
        { model: 'flat_fee', metric_key: 'seats', properties: { amount: '1' } },
      ]),
    ).toEqual([
      'charges[0].properties.tiers[0].unit_amount',
      'charges[0].properties.tiers[1].up_to',
      'charges[1].metric_key',
      'charges[1].properties.package_size',
      'charges[2].metric_key',
    ]);
  });

  it('uses a custom field prefix', () => {
    expect(parsePricePlanCharges([], undefined, 'plan.charges')).toEqual({
      ok: false,
      errors: [{ field: 'plan.charges', message: 'must contain at least one charge' }],
    });
  });
});
