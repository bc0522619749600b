import { checkCouponTerms, checkGrantTerms, checkTaxPercentage } from './adjustment-validation';

const fields = (result: { ok: boolean; issues?: Array<{ field: string }> }) => (result.ok ? [] : result.issues!.map((issue) => issue.field));

describe('adjustment validation', () => {
  it('refuses a negative grant, an unknown currency and more places than the currency has', () => {
    expect(fields(checkGrantTerms({ amount: '-5', currency: 'USD' }))).toEqual(['amount']);
    expect(fields(checkGrantTerms({ amount: '5', currency: 'XYZ' }))).toEqual(['currency']);
    expect(fields(checkGrantTerms({ amount: '5.5', currency: 'JPY' }))).toEqual(['amount']);
    expect(fields(checkGrantTerms({ amount: '5.125', currency: 'KWD' }))).toEqual([]);
  });

  it('refuses a coupon with both percent and amount, a percentage over 100, and cycles without repeating', () => {
    expect(fields(checkCouponTerms({ percent_off: '10', amount_off: '5', currency: 'USD', duration: 'once' }))).toEqual(['amount_off']);
    expect(fields(checkCouponTerms({ percent_off: '100.5', duration: 'forever' }))).toEqual(['percent_off']);
    expect(fields(checkCouponTerms({ amount_off: '5', duration: 'once' }))).toEqual(['currency']);
    expect(fields(checkCouponTerms({ percent_off: '10', duration: 'repeating' }))).toEqual(['duration_in_cycles']);
    expect(checkCouponTerms({ amount_off: '5.00', currency: 'USD', duration: 'repeating', duration_in_cycles: 3 }).ok).toBe(true);
  });

  it('refuses a tax percentage over 100', () => {
    expect(fields(checkTaxPercentage('100.01'))).toEqual(['percentage']);
    expect(checkTaxPercentage('19').ok).toBe(true);
  });
});
