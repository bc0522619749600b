import Big from 'big.js';
import fc from 'fast-check';
import { minorUnitOf } from '../money/currency';
import { adjustInvoice, AdjustmentInput, allocate, discountStillApplies, MINIMUM_TRUE_UP_KEY, TaxRateTerms } from './invoice-adjustments';

const lines = (...amounts: string[]) => amounts.map((amount, index) => ({ key: `line_${index}`, amount: new Big(amount) }));
const rate = (id: string, percentage: string, inclusive = false): TaxRateTerms => ({ id, displayName: id, percentage: new Big(percentage), inclusive });
const base = (currency: string, amounts: string[]): AdjustmentInput => ({
  currency,
  lines: lines(...amounts),
  discounts: [],
  minimum: null,
  taxRates: [],
  creditsAvailable: new Big(0),
});
const text = (value: Big | null) => value?.toFixed() ?? null;

describe('adjustInvoice', () => {
  it('leaves an invoice without adjustments as it is: total and amount due are the subtotal', () => {
    const result = adjustInvoice(base('USD', ['10.00', '2.50']));
    expect([result.subtotal, result.discountAmount, result.taxAmount, result.total, result.creditsApplied, result.amountDue].map(text)).toEqual([
      '12.5',
      '0',
      '0',
      '12.5',
      '0',
      '12.5',
    ]);
    expect(result.minimumTrueUp).toBeNull();
  });

  it('USD: 10% off, 8.875% tax per line rounded half-up, then credits', () => {
    const result = adjustInvoice({
      ...base('USD', ['33.33', '66.67']),
      discounts: [{ discountId: 'di_1', couponId: 'ten', terms: { percentOff: new Big(10) } }],
      taxRates: [rate('nyc', '8.875')],
      creditsAvailable: new Big('20'),
    });
    expect(text(result.discountAmount)).toBe('10');
    // Discount shares 3.33 and 6.67 → taxable 30.00 and 60.00 → 2.6625 → 2.66, 5.325 → 5.33.
    expect(result.lineTaxes.map((tax) => text(tax.amount))).toEqual(['2.66', '5.33']);
    expect(text(result.taxAmount)).toBe('7.99');
    expect(text(result.total)).toBe('97.99');
    expect(text(result.creditsApplied)).toBe('20');
    expect(text(result.amountDue)).toBe('77.99');
  });

  it('JPY: amounts off never go below zero, taxes round to whole yen', () => {
    const result = adjustInvoice({
      ...base('JPY', ['1005']),
      discounts: [
        { discountId: 'di_1', couponId: 'big', terms: { amountOff: new Big(1000) } },
        { discountId: 'di_2', couponId: 'bigger', terms: { amountOff: new Big(1000) } },
      ],
      taxRates: [rate('jct', '10')],
    });
    expect(result.discounts.map((discount) => text(discount.amount))).toEqual(['1000', '5']);
    expect(text(result.total)).toBe('0');
    expect(text(result.amountDue)).toBe('0');
  });

  it('JPY: an inclusive rate extracts its tax from the line and leaves the total alone', () => {
    const result = adjustInvoice({ ...base('JPY', ['1100']), taxRates: [rate('jct', '10', true)] });
    expect(text(result.taxAmount)).toBe('100');
    expect(text(result.total)).toBe('1100');
  });

  it('KWD: a minimum commitment adds a true-up line that is taxed too, to three places', () => {
    const result = adjustInvoice({ ...base('KWD', ['1.234']), minimum: new Big('5.000'), taxRates: [rate('vat', '5')] });
    expect(text(result.minimumTrueUp)).toBe('3.766');
    // 1.234 × 5% = 0.0617 → 0.062; 3.766 × 5% = 0.1883 → 0.188.
    expect(result.lineTaxes.map((tax) => [tax.lineKey, text(tax.amount)])).toEqual([
      ['line_0', '0.062'],
      [MINIMUM_TRUE_UP_KEY, '0.188'],
    ]);
    expect(text(result.total)).toBe('5.25');
  });

  it('KWD: credits cover at most the total', () => {
    const result = adjustInvoice({ ...base('KWD', ['2.500']), creditsAvailable: new Big('9.999') });
    expect(text(result.creditsApplied)).toBe('2.5');
    expect(text(result.amountDue)).toBe('0');
  });

  it('the minimum compares with the subtotal after discounts', () => {
    const result = adjustInvoice({
      ...base('USD', ['100.00']),
      discounts: [{ discountId: 'di', couponId: 'half', terms: { percentOff: new Big(50) } }],
      minimum: new Big('80.00'),
    });
    expect(text(result.minimumTrueUp)).toBe('30');
    expect(text(result.total)).toBe('80');
  });
});

describe('discountStillApplies', () => {
  it('counts cycles per issued invoice', () => {
    expect([0, 1].map((used) => discountStillApplies('once', null, used))).toEqual([true, false]);
    expect([0, 2, 3].map((used) => discountStillApplies('repeating', 3, used))).toEqual([true, true, false]);
    expect(discountStillApplies('forever', null, 1000)).toBe(true);
  });
});

const currencies = fc.constantFrom('USD', 'JPY', 'KWD');
const minorAmount = (currency: string, max = 10_000_000) =>
  fc.integer({ min: 0, max }).map((units) => new Big(units).div(new Big(10).pow(minorUnitOf(currency))));

const invoices = currencies.chain((currency) =>
  fc.record({
    currency: fc.constant(currency),
    lines: fc.array(minorAmount(currency), { minLength: 1, maxLength: 8 }).map((amounts) => amounts.map((amount, index) => ({ key: `l${index}`, amount }))),
    discounts: fc.array(
      fc.oneof(
        fc.integer({ min: 1, max: 10000 }).map((bp) => ({ percentOff: new Big(bp).div(100) })),
        minorAmount(currency, 1_000_000).map((amountOff) => ({ amountOff })),
      ),
      { maxLength: 3 },
    ),
    minimum: fc.option(minorAmount(currency), { nil: null }),
    taxRates: fc.array(fc.record({ percentage: fc.integer({ min: 0, max: 1_000_000 }).map((units) => new Big(units).div(10000)), inclusive: fc.boolean() }), {
      maxLength: 3,
    }),
    creditsAvailable: minorAmount(currency),
  }),
);

describe('adjustInvoice properties', () => {
  it('amount due = total − credits applied ≥ 0, discounts never below zero, each tax within half a minor unit of the exact figure', () => {
    fc.assert(
      fc.property(invoices, (drawn) => {
        const input: AdjustmentInput = {
          ...drawn,
          discounts: drawn.discounts.map((terms, index) => ({ discountId: `d${index}`, couponId: `c${index}`, terms }) as AdjustmentInput['discounts'][number]),
          taxRates: drawn.taxRates.map((terms, index) => ({ id: `r${index}`, displayName: `r${index}`, ...terms })),
        };
        const result = adjustInvoice(input);
        const half = new Big(10).pow(-minorUnitOf(drawn.currency)).div(2);
        expect(result.amountDue.gte(0)).toBe(true);
        expect(result.amountDue.eq(result.total.minus(result.creditsApplied))).toBe(true);
        expect(result.creditsApplied.lte(drawn.creditsAvailable)).toBe(true);
        expect(result.discountAmount.lte(result.subtotal)).toBe(true);
        expect(result.subtotal.minus(result.discountAmount).gte(0)).toBe(true);
        const inclusive = input.taxRates.filter((terms) => terms.inclusive).reduce((sum, terms) => sum.plus(terms.percentage), new Big(0));
        for (const tax of result.lineTaxes) {
          const terms = input.taxRates.find((candidate) => candidate.id === tax.taxRateId)!;
          const exact = terms.inclusive
            ? tax.taxableAmount.times(terms.percentage).div(inclusive.plus(100))
            : tax.taxableAmount.times(terms.percentage).div(100);
          expect(tax.amount.minus(exact).abs().lte(half)).toBe(true);
        }
        const exactTotal = result.lineTaxes.reduce((sum, tax) => {
          const terms = input.taxRates.find((candidate) => candidate.id === tax.taxRateId)!;
          return sum.plus(
            terms.inclusive ? tax.taxableAmount.times(terms.percentage).div(inclusive.plus(100)) : tax.taxableAmount.times(terms.percentage).div(100),
          );
        }, new Big(0));
        expect(
          result.taxAmount
            .minus(exactTotal)
            .abs()
            .lte(half.times(Math.max(result.lineTaxes.length, 1))),
        ).toBe(true);
      }),
    );
  });

  it('discount shares add up to the discount and none exceeds its line', () => {
    fc.assert(
      fc.property(
        currencies.chain((currency) =>
          fc.tuple(fc.constant(currency), fc.array(minorAmount(currency), { minLength: 1, maxLength: 8 }), fc.double({ min: 0, max: 1, noNaN: true })),
        ),
        ([currency, amounts, fraction]) => {
          const input = amounts.map((amount, index) => ({ key: `l${index}`, amount }));
          const positive = amounts.reduce((sum, amount) => sum.plus(amount), new Big(0));
          const discount = positive
            .times(Math.floor(fraction * 1000))
            .div(1000)
            .round(minorUnitOf(currency), Big.roundDown);
          const shares = allocate(currency, input, discount);
          expect(shares.reduce((sum, share) => sum.plus(share), new Big(0)).eq(discount)).toBe(true);
          shares.forEach((share, index) => expect(share.gte(0) && share.lte(amounts[index])).toBe(true));
        },
      ),
    );
  });
});
