import Big from 'big.js';
import { priceFlatFee } from './flat-fee-pricing';

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
