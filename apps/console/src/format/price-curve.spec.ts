import { priceCurve } from './price-curve';

const STRIPE_TIERS = [
  { up_to: 5, unit_amount: '7' },
  { up_to: 10, unit_amount: '6.5' },
  { up_to: null, unit_amount: '6' },
];

const at = (points: Array<{ quantity: string; amount: string }>, quantity: string) => points.find((point) => point.quantity === quantity)?.amount;

describe('priceCurve', () => {
  it('prices graduated tiers exactly at their boundaries and past the last one', () => {
    const points = priceCurve({ metric_key: 'calls', model: 'tiered', properties: { tiers: STRIPE_TIERS } }, 15)!;
    expect(points[0]).toEqual({ quantity: '0', amount: '0' });
    expect(at(points, '5')).toBe('35');
    expect(at(points, '10')).toBe('67.5');
    expect(at(points, '15')).toBe('97.5');
    expect(points.map((point) => Number(point.quantity))).toEqual([...points.map((point) => Number(point.quantity))].sort((a, b) => a - b));
  });

  it('shows the jump of a volume price just past a boundary', () => {
    const points = priceCurve({ metric_key: 'calls', model: 'volume', properties: { tiers: STRIPE_TIERS } }, 15)!;
    expect(at(points, '5')).toBe('35');
    expect(at(points, '5.01')).toBe('32.565');
    expect(at(points, '15')).toBe('90');
  });

  it('draws nothing for other models or charges the rules refuse', () => {
    expect(priceCurve({ metric_key: 'calls', model: 'per_unit', properties: { unit_amount: '1' } })).toBeUndefined();
    expect(priceCurve({ metric_key: 'calls', model: 'tiered', properties: { tiers: [] } })).toBeUndefined();
  });
});
