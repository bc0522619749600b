import Big from 'big.js';
import { STRIPE_ZERO_DECIMAL_CURRENCIES, fromStripeMinorUnits, stripeMinimumCharge, toStripeMinorUnits } from './stripe-amount';

describe('toStripeMinorUnits', () => {
  it.each([
    ['127.5', 'USD', '12750'],
    ['47.50', 'EUR', '4750'],
    ['0.5', 'GBP', '50'],
    ['0', 'USD', '0'],
    ['0.005', 'USD', '1'], // rounded half-up to a cent first
    ['120', 'JPY', '120'],
    ['119.5', 'JPY', '120'],
    ['5000', 'KRW', '5000'],
    ['10.5', 'MGA', '11'], // ISO 2 decimals but zero-decimal at Stripe
    ['123', 'ISK', '12300'], // ISO 0 decimals but two-decimal at Stripe
    ['1.235', 'KWD', '1240'], // three-decimal: rounded to 2 decimals, ×1000, ends in 0
    ['1.234', 'KWD', '1230'],
    ['10', 'BHD', '10000'],
    ['0.125', 'JOD', '130'],
    ['7.1', 'OMR', '7100'],
    ['3.999', 'TND', '4000'],
    ['1.23456', 'CLF', '123'],
    ['100000000000000000000', 'USD', '10000000000000000000000'],
  ])('%s %s → %s', (amount, currency, expected) => {
    expect(toStripeMinorUnits(new Big(amount), currency)).toBe(expected);
  });

  it('passes every Stripe zero-decimal currency as is', () => {
    expect([...STRIPE_ZERO_DECIMAL_CURRENCIES].sort()).toEqual([
      'BIF',
      'CLP',
      'DJF',
      'GNF',
      'JPY',
      'KMF',
      'KRW',
      'MGA',
      'PYG',
      'RWF',
      'UGX',
      'VND',
      'VUV',
      'XAF',
      'XOF',
      'XPF',
    ]);
    for (const currency of STRIPE_ZERO_DECIMAL_CURRENCIES) {
      expect(toStripeMinorUnits(new Big('1500'), currency)).toBe('1500');
    }
  });

  it('always ends three-decimal amounts in 0', () => {
    for (const currency of ['BHD', 'JOD', 'KWD', 'OMR', 'TND']) {
      expect(toStripeMinorUnits(new Big('0.001'), currency)).toBe('0');
      expect(toStripeMinorUnits(new Big('0.005'), currency)).toBe('10');
    }
  });

  it('refuses negative amounts and unknown currencies', () => {
    expect(() => toStripeMinorUnits(new Big('-1'), 'USD')).toThrow('cannot be negative');
    expect(() => toStripeMinorUnits(new Big('1'), 'usd')).toThrow('unknown ISO 4217 currency code: usd');
  });
});

describe('fromStripeMinorUnits', () => {
  it.each([
    ['12750', 'USD', '127.5'],
    ['120', 'JPY', '120'],
    ['1240', 'KWD', '1.24'],
    ['11', 'MGA', '11'],
  ])('%s %s → %s', (minor, currency, expected) => {
    expect(fromStripeMinorUnits(minor, currency).toFixed()).toBe(expected);
  });

  it('inverts toStripeMinorUnits for amounts Stripe can express', () => {
    for (const [amount, currency] of [
      ['127.5', 'USD'],
      ['1.24', 'KWD'],
      ['500', 'JPY'],
    ]) {
      const minor = toStripeMinorUnits(new Big(amount), currency);
      expect(fromStripeMinorUnits(minor, currency).eq(new Big(amount))).toBe(true);
    }
  });
});

describe('stripeMinimumCharge', () => {
  it.each([
    ['USD', '0.5'],
    ['EUR', '0.5'],
    ['GBP', '0.3'],
    ['JPY', '50'],
    ['CAD', '0.5'],
    ['AUD', '0.5'],
    ['CHF', '0.5'],
    ['DKK', '2.5'],
    ['NOK', '3'],
    ['SEK', '3'],
    ['MXN', '10'],
    ['HKD', '4'],
    ['SGD', '0.5'],
    ['BRL', '0.5'],
    ['INR', '0.5'],
    ['PLN', '2'],
    ['CZK', '15'],
    ['HUF', '175'],
    ['RON', '2'],
    ['BGN', '1'],
    ['NZD', '0.5'],
    ['AED', '2'],
    ['THB', '10'],
    ['MYR', '2'],
  ])('%s minimum is %s', (currency, expected) => {
    expect(stripeMinimumCharge(currency)?.toFixed()).toBe(expected);
  });

  it.each(['KWD', 'XYZ', 'constructor', 'toString'])('has no published minimum for %p', (currency) => {
    expect(stripeMinimumCharge(currency)).toBeUndefined();
  });
});
