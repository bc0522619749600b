import Big from 'big.js';
import fc from 'fast-check';
import { decimalBig } from '../../../testing/decimal-arbitraries';
import { chargesOf } from '../../../testing/plan-charges';
import { FLAT_AND_UNIT_TIERS, orderedQuantityPair, quantityArbitrary, STRIPE_DOCS_TIERS, tierListArbitrary, tiers } from '../../../testing/price-tiers';
import { chargeToJson } from '../../charge-json';
import type { PriceTier } from '../price-tiers';
import { priceGraduated } from '../tiered/tiered.model';
import { tierBreakdownToJson } from '../tier-breakdown';
import { priceVolume } from './volume.model';

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

describe('priceVolume: properties', () => {
  it('prices the whole quantity in the one tier containing it', () => {
    fc.assert(
      fc.property(tierListArbitrary, quantityArbitrary, (tierList, quantity) => {
        const [used] = priceVolume(tierList, quantity).tiers;
        expect(used.quantity.eq(quantity)).toBe(true);
        expect(quantity.gt(used.from) || used.from.eq(0)).toBe(true);
        expect(used.upTo === null || quantity.lte(used.upTo)).toBe(true);
      }),
    );
  });

  it('agrees with graduated pricing when there is a single tier', () => {
    fc.assert(
      fc.property(decimalBig({ maxFractionDigits: 6 }), decimalBig({ maxFractionDigits: 2 }), quantityArbitrary, (unitAmount, flatAmount, quantity) => {
        const tierList: PriceTier[] = [{ upTo: null, unitAmount, flatAmount }];
        expect(priceGraduated(tierList, quantity).amount.eq(priceVolume(tierList, quantity).amount)).toBe(true);
      }),
    );
  });

  // Volume is only monotone when unit and flat amounts never decrease from tier to tier: with
  // cheaper upper tiers the total drops when a quantity crosses an edge (10 units → 65, 10.5 → 63
  // in Stripe's example).
  it('never decreases as the quantity grows, when unit and flat amounts do not decrease from tier to tier', () => {
    const nonDecreasingTiers = tierListArbitrary.map((tierList) => {
      const units = tierList.map((t) => t.unitAmount).sort((a, b) => a.cmp(b));
      const flats = tierList.map((t) => t.flatAmount).sort((a, b) => a.cmp(b));
      return tierList.map((t, i) => ({ ...t, unitAmount: units[i], flatAmount: flats[i] }));
    });
    fc.assert(
      fc.property(nonDecreasingTiers, orderedQuantityPair, (tierList, [low, high]) => {
        expect(priceVolume(tierList, low).amount.lte(priceVolume(tierList, high).amount)).toBe(true);
      }),
    );
  });
});

describe('volume in a plan', () => {
  it('reads decimal bounds and optional flat amounts, and writes them back', () => {
    const charges = chargesOf([
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
    ]);
    expect(charges.map(chargeToJson)).toEqual([
      {
        metric_key: 'storage',
        model: 'volume',
        properties: {
          tiers: [
            { up_to: '100.5', unit_amount: '1', flat_amount: '10' },
            { up_to: null, unit_amount: '0.8', flat_amount: '0' },
          ],
        },
      },
    ]);
  });
});
