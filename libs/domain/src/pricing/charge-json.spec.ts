import Big from 'big.js';
import { tiers } from '../testing/price-tiers';
import { chargeToJson } from './charge-json';
import type { Charge } from './models/registry';
import { parsePricePlanCharges } from './price-plan-validation';

describe('chargeToJson', () => {
  const charges: Charge[] = [
    { model: 'per_unit', metricKey: 'api_calls', properties: { unitAmount: new Big('0.0005') } },
    { model: 'tiered', metricKey: 'storage', properties: { tiers: tiers(['10000', '0.001'], [null, '0.0005', '2.50']) } },
    { model: 'volume', metricKey: 'seats', properties: { tiers: tiers([null, '10']) } },
    { model: 'package', metricKey: 'sms', properties: { packageSize: new Big(100), packageAmount: new Big('5.00'), freeUnits: new Big(0) } },
    { model: 'flat_fee', properties: { amount: new Big('49.90') } },
  ];

  it('writes the API shape with decimal strings', () => {
    expect(charges.map(chargeToJson)).toEqual([
      { metric_key: 'api_calls', model: 'per_unit', properties: { unit_amount: '0.0005' } },
      {
        metric_key: 'storage',
        model: 'tiered',
        properties: {
          tiers: [
            { up_to: '10000', unit_amount: '0.001', flat_amount: '0' },
            { up_to: null, unit_amount: '0.0005', flat_amount: '2.5' },
          ],
        },
      },
      { metric_key: 'seats', model: 'volume', properties: { tiers: [{ up_to: null, unit_amount: '10', flat_amount: '0' }] } },
      { metric_key: 'sms', model: 'package', properties: { package_size: '100', package_amount: '5', free_units: '0' } },
      { model: 'flat_fee', properties: { amount: '49.9' } },
    ]);
  });

  it('is read back by parsePricePlanCharges to the same charges', () => {
    const json = JSON.parse(JSON.stringify(charges.map(chargeToJson)));
    const parsed = parsePricePlanCharges(json, new Set(['api_calls', 'storage', 'seats', 'sms']));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.charges.map(chargeToJson)).toEqual(charges.map(chargeToJson));
  });
});
