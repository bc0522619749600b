import { chargeToJson } from './charge-json';
import { parsePricePlanCharges } from './price-plan-validation';

const known = new Set(['api_calls', 'storage', 'seats']);

function errorsOf(raw: unknown, metrics: Set<string> | null = known) {
  const result = parsePricePlanCharges(raw, metrics ?? undefined);
  if (result.ok) throw new Error('expected validation errors');
  return result.errors;
}

function fieldsOf(raw: unknown, metrics: Set<string> | null = known): string[] {
  return errorsOf(raw, metrics).map((issue) => issue.field);
}

function chargesOf(raw: unknown, metrics: Set<string> | null = known) {
  const result = parsePricePlanCharges(raw, metrics ?? undefined);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.charges;
}

const tiered = (tiers: unknown[], extra: Record<string, unknown> = {}) => ({
  metric_key: 'api_calls',
  model: 'tiered',
  properties: { tiers, ...extra },
});

describe('parsePricePlanCharges: valid plans', () => {
  it("accepts the contract's example with number and string amounts", () => {
    const charges = chargesOf([
      tiered([
        { up_to: 10000, unit_amount: '0.001' },
        { up_to: null, unit_amount: '0.0005' },
      ]),
    ]);
    expect(charges.map(chargeToJson)).toEqual([
      {
        metric_key: 'api_calls',
        model: 'tiered',
        properties: {
          tiers: [
            { up_to: '10000', unit_amount: '0.001', flat_amount: '0' },
            { up_to: null, unit_amount: '0.0005', flat_amount: '0' },
          ],
        },
      },
    ]);
  });

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

  it('defaults free_units and flat_amount to 0 (also when null)', () => {
    const [pkg, tier] = chargesOf(
      [
        { metric_key: 'api_calls', model: 'package', properties: { package_size: 100, package_amount: '5', free_units: null } },
        tiered([{ up_to: null, unit_amount: '1', flat_amount: null }], {}),
      ].map((c, i) => (i === 1 ? { ...c, metric_key: 'storage' } : c)),
    );
    expect(pkg.model === 'package' && pkg.properties.freeUnits.toFixed()).toBe('0');
    expect(tier.model === 'tiered' && tier.properties.tiers[0].flatAmount.toFixed()).toBe('0');
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
      { field: 'charges[0].model', message: 'is required; one of per_unit, tiered, volume, package, flat_fee' },
    ]);
    expect(errorsOf([{ metric_key: 'api_calls', model: 'graduated', properties: {} }])).toEqual([
      { field: 'charges[0].model', message: 'must be one of per_unit, tiered, volume, package, flat_fee' },
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

  it('missing package fields', () => {
    expect(fieldsOf([{ metric_key: 'api_calls', model: 'package', properties: {} }])).toEqual([
      'charges[0].properties.package_size',
      'charges[0].properties.package_amount',
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

    it('flat_fee amount, package_amount, flat_amount, free_units', () => {
      expect(fieldsOf([{ model: 'flat_fee', properties: { amount: '-5' } }])).toEqual(['charges[0].properties.amount']);
      expect(fieldsOf([{ metric_key: 'api_calls', model: 'package', properties: { package_size: '1', package_amount: '-1', free_units: '-2' } }])).toEqual([
        'charges[0].properties.package_amount',
        'charges[0].properties.free_units',
      ]);
      expect(fieldsOf([tiered([{ up_to: null, unit_amount: '1', flat_amount: '-3' }])])).toEqual(['charges[0].properties.tiers[0].flat_amount']);
    });
  });

  it.each([
    ['0', 'must be greater than 0'],
    [0, 'must be greater than 0'],
    ['-10', 'must not be negative'],
    ['abc', 'must be a plain decimal number'],
  ])('package_size %p → %s', (value, fragment) => {
    const [issue] = errorsOf([{ metric_key: 'api_calls', model: 'package', properties: { package_size: value, package_amount: '5' } }]);
    expect(issue.field).toBe('charges[0].properties.package_size');
    expect(issue.message).toContain(fragment);
  });

  it('free_units 0 is fine', () => {
    expect(chargesOf([{ metric_key: 'api_calls', model: 'package', properties: { package_size: '1', package_amount: '1', free_units: 0 } }])).toHaveLength(1);
  });

  describe('tiers', () => {
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

  describe('metric_key', () => {
    it('is refused on a flat fee', () => {
      expect(errorsOf([{ model: 'flat_fee', metric_key: 'api_calls', properties: { amount: '10' } }])).toEqual([
        { field: 'charges[0].metric_key', message: 'must not be set on a flat_fee charge: a flat fee does not depend on usage' },
      ]);
    });

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
          message: 'metric api_calls is already billed by charges[0]; a metric may appear in one charge only',
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
