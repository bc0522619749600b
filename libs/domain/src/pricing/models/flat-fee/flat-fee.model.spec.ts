import Big from 'big.js';
import { chargesOf, errorsOf, fieldsOf } from '../../../testing/plan-charges';
import { chargeToJson } from '../../charge-json';
import { priceFlatFee } from './flat-fee.model';

describe('priceFlatFee', () => {
  it('charges the amount, with no breakdown', () => {
    const result = priceFlatFee({ amount: new Big('49.99') });
    expect(result.amount.toFixed()).toBe('49.99');
    expect(result.tiers).toEqual([]);
  });

  it('returns a fresh value, never the plan object itself', () => {
    const amount = new Big('10');
    expect(priceFlatFee({ amount }).amount).not.toBe(amount);
  });
});

describe('flat_fee in a plan', () => {
  it('has no metric_key (null means absent) and may appear several times', () => {
    const charges = chargesOf([
      { model: 'flat_fee', properties: { amount: '49.90' } },
      { model: 'flat_fee', metric_key: null, properties: { amount: 0 } },
    ]);
    expect(charges.map(chargeToJson)).toEqual([
      { model: 'flat_fee', properties: { amount: '49.9' } },
      { model: 'flat_fee', properties: { amount: '0' } },
    ]);
    expect(Object.keys(chargeToJson(charges[0]))).toEqual(['model', 'properties']);
  });

  it('refuses a metric_key: a flat fee does not depend on usage', () => {
    expect(errorsOf([{ model: 'flat_fee', metric_key: 'api_calls', properties: { amount: '10' } }])).toEqual([
      { field: 'charges[0].metric_key', message: 'must not be set on a flat_fee charge: a flat fee does not depend on usage' },
    ]);
  });

  it('refuses a negative amount at its field', () => {
    expect(fieldsOf([{ model: 'flat_fee', properties: { amount: '-5' } }])).toEqual(['charges[0].properties.amount']);
  });
});
