import Big from 'big.js';
import { FLAT_AND_UNIT_TIERS, STRIPE_DOCS_TIERS, tiers } from '../testing/price-tiers';
import { tierBreakdownToJson } from './charge-json';
import { priceVolume } from './volume-pricing';

const amountOf = (tierList: ReturnType<typeof tiers>, quantity: string) => priceVolume(tierList, new Big(quantity)).amount.toFixed();

describe('priceVolume', () => {
  it.each([
    ['0', '0'],
    ['1', '7'],
    ['5', '35'],
    ['6', '39'],
    ['10', '65'],
    ['10.5', '63'], // above 10 the whole quantity moves to the cheaper tier: totals can drop at edges
    ['11', '66'],
    ['20', '120'],
  ])("Stripe's docs tiers: %s units cost %s", (quantity, expected) => {
    expect(amountOf(STRIPE_DOCS_TIERS(), quantity)).toBe(expected);
  });

  it('puts a fractional quantity above up_to in the next tier (100.5 → second tier)', () => {
    const list = tiers(['100', '1'], [null, '0.5']);
    expect(amountOf(list, '100')).toBe('100');
    expect(amountOf(list, '100.5')).toBe('50.25');
    expect(priceVolume(list, new Big('100.5')).tiers.map(tierBreakdownToJson)).toEqual([
      { from: '100', up_to: null, quantity: '100.5', unit_amount: '0.5', flat_amount: '0', amount: '50.25' },
    ]);
  });

  it('adds the flat amount of the tier the total falls into (12 units → 66)', () => {
    expect(amountOf(FLAT_AND_UNIT_TIERS(), '12')).toBe('66');
    expect(amountOf(FLAT_AND_UNIT_TIERS(), '5')).toBe('55');
    expect(amountOf(FLAT_AND_UNIT_TIERS(), '6')).toBe('46');
  });

  it('charges the first tier flat amount at zero usage', () => {
    expect(priceVolume(FLAT_AND_UNIT_TIERS(), new Big(0)).tiers.map(tierBreakdownToJson)).toEqual([
      { from: '0', up_to: '5', quantity: '0', unit_amount: '7', flat_amount: '20', amount: '20' },
    ]);
  });

  it('lists exactly the one tier used, with its bounds', () => {
    expect(priceVolume(STRIPE_DOCS_TIERS(), new Big('7')).tiers.map(tierBreakdownToJson)).toEqual([
      { from: '5', up_to: '10', quantity: '7', unit_amount: '6.5', flat_amount: '0', amount: '45.5' },
    ]);
  });

  it('is exact for huge quantities (10^30)', () => {
    expect(amountOf(STRIPE_DOCS_TIERS(), '1000000000000000000000000000000')).toBe('6000000000000000000000000000000');
  });

  it('throws when the tiers have no open last tier (unvalidated plan)', () => {
    expect(() => priceVolume(tiers(['10', '1']), new Big(11))).toThrow('above the last tier');
  });
});
