import Big from 'big.js';
import { stripeChargeAmount } from './stripe-charge';

describe('stripeChargeAmount', () => {
  it.each([
    ['127.50', 'USD', '12750'],
    ['0.50', 'USD', '50'],
    ['120', 'JPY', '120'],
    ['50', 'JPY', '50'],
    ['1.230', 'KWD', '1230'],
    ['0.30', 'GBP', '30'],
    ['0.01', 'KWD', '10'], // no published minimum: only Stripe can check it
  ])('charges %s %s as %s', (total, currency, minor) => {
    expect(stripeChargeAmount(new Big(total), currency)).toEqual({ ok: true, minorUnits: minor });
  });

  it.each([
    ['0.49', 'USD', '0.50 USD'],
    ['49', 'JPY', '50 JPY'],
    ['0.29', 'GBP', '0.30 GBP'],
  ])("refuses %s %s below Stripe's minimum of %s", (total, currency, minimum) => {
    const result = stripeChargeAmount(new Big(total), currency);
    expect(result).toEqual({ ok: false, code: 'amount_below_minimum', message: expect.stringContaining(minimum) });
  });

  it('refuses a total finer than Stripe can take instead of rounding it', () => {
    expect(stripeChargeAmount(new Big('1.235'), 'KWD')).toEqual({
      ok: false,
      code: 'amount_not_chargeable_exactly',
      message: 'Stripe cannot charge 1.235 KWD exactly (it would charge 1.240)',
    });
  });

  it('refuses amounts beyond a safe integer of minor units', () => {
    expect(stripeChargeAmount(new Big('100000000000000'), 'USD')).toMatchObject({ ok: false, code: 'amount_too_large' });
  });
});
