import Big from 'big.js';
import fc from 'fast-check';
import { DimensionValues, groupOf, groupToJson, isSelected, UsageSelection } from '../aggregation/usage-selection';
import type { Charge } from './models/registry';
import { calculatePlanCharges, GroupUsage, planUsageReads } from './plan-calculation';

/** What the aggregation service answers for a selection over events, summing values per group (a sum metric). */
function usageOf(events: Array<{ properties: DimensionValues; value: Big }>, selection: UsageSelection): GroupUsage[] {
  const groups = new Map<string, GroupUsage>();
  if (selection.groupBy.length === 0) groups.set('[]', { group: {}, quantity: new Big(0) });
  for (const event of events) {
    if (!isSelected(selection, event.properties)) continue;
    const group = groupOf(selection.groupBy, event.properties);
    const id = JSON.stringify(group);
    const entry = groups.get(id) ?? { group: groupToJson(selection.groupBy, group), quantity: new Big(0) };
    groups.set(id, { ...entry, quantity: entry.quantity.plus(event.value) });
  }
  return [...groups.values()];
}

function price(charges: Charge[], events: Array<{ properties: DimensionValues; value: Big }>) {
  const reads = planUsageReads(charges);
  const unpriced = reads.unpriced.flatMap((read) =>
    usageOf(events, read.selection).map((group) => ({ metricKey: read.metricKey, dimensions: group.group, quantity: group.quantity })),
  );
  return calculatePlanCharges(
    charges,
    'USD',
    reads.charges.map((read) => (read === null ? null : usageOf(events, read.selection))),
    true,
    unpriced,
  );
}

const perUnit = (unitAmount: string, extra: Partial<Pick<Extract<Charge, { model: 'per_unit' }>, 'filters' | 'groupBy'>> = {}): Charge => ({
  model: 'per_unit',
  metricKey: 'gb',
  properties: { unitAmount: new Big(unitAmount) },
  ...extra,
});

const event = (properties: DimensionValues, value: string) => ({ properties, value: new Big(value) });

describe('price matrices (charges with filters on one metric)', () => {
  // Lago, "Charges with filters" (getlago.com/docs/guide/plans/charges/charges-with-filters): a
  // standard charge of 2 per unit, and a filter region=africa & provider=aws priced at 1; events
  // matching no filter take the charge's default price.
  it("prices Lago's example: africa & aws at 1, everything else at the default 2", () => {
    const charges = [perUnit('1', { filters: { region: ['africa'], provider: ['aws'] } }), perUnit('2')];
    const result = price(charges, [
      event({ region: 'africa', provider: 'aws' }, '10'),
      event({ region: 'europe', provider: 'aws' }, '5'),
      event({ region: 'africa', provider: 'gcp' }, '3'),
      event({}, '1'),
    ]);
    expect(result.lineItems.map((item) => [item.quantity.toFixed(), item.amount.toFixed()])).toEqual([
      ['10', '10'],
      ['9', '18'],
    ]);
    expect(result.total.toFixed()).toBe('28');
    expect(result.unpriced).toEqual([]);
  });

  it('gives an event to the first filtered charge it matches, in plan order, and lists what none matches as unpriced', () => {
    const charges = [perUnit('1', { filters: { region: ['africa'] } }), perUnit('3', { filters: { provider: ['aws'] } })];
    const result = price(charges, [
      event({ region: 'africa', provider: 'aws' }, '10'),
      event({ region: 'europe', provider: 'aws' }, '5'),
      event({ provider: 'gcp' }, '7'),
    ]);
    expect(result.lineItems.map((item) => item.quantity.toFixed())).toEqual(['10', '5']);
    expect(result.unpriced.map((item) => [item.dimensions, item.quantity.toFixed()])).toEqual([[{ provider: 'gcp', region: null }, '7']]);
    expect(result.total.toFixed()).toBe('25');
  });

  it('tiers each group of a grouped charge on its own (graduated: 2 per unit up to 10, then 1)', () => {
    const tiers = [
      { upTo: new Big(10), unitAmount: new Big(2), flatAmount: new Big(0) },
      { upTo: null, unitAmount: new Big(1), flatAmount: new Big(0) },
    ];
    const charge: Charge = { model: 'tiered', metricKey: 'gb', properties: { tiers }, groupBy: ['region'] };
    const result = price([charge], [event({ region: 'eu' }, '15'), event({ region: 'us' }, '5'), event({}, '1')]);
    // eu 10×2 + 5×1 = 25, us 5×2 = 10, no region 1×2 = 2: together 37, where 21 units tiered at once would be 31.
    expect(result.lineItems.map((item) => [item.group, item.amount.toFixed()])).toEqual([
      [{ region: 'eu' }, '25'],
      [{ region: 'us' }, '10'],
      [{ region: null }, '2'],
    ]);
  });

  it('gives a grouped charge without usage one line of quantity 0', () => {
    const result = price([perUnit('1', { groupBy: ['region'] })], []);
    expect(result.lineItems.map((item) => [item.group, item.quantity.toFixed()])).toEqual([[{}, '0']]);
  });
});

const valueArb = fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined });
const eventsArb = fc.array(
  fc.record({ model: valueArb, region: valueArb, cents: fc.integer({ min: 0, max: 100000 }) }).map(({ model, region, cents }) => ({
    properties: { ...(model ? { model } : {}), ...(region ? { region } : {}) } as DimensionValues,
    value: new Big(cents).div(100),
  })),
  { maxLength: 40 },
);
const filterArb = fc
  .record(
    { model: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }), region: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }) },
    { requiredKeys: [] },
  )
  .filter((filter) => Object.keys(filter).length > 0);

describe('price matrix properties', () => {
  it('a filter partition (A, B, neither) takes every event exactly once, with or without a charge for the rest', () => {
    fc.assert(
      fc.property(eventsArb, filterArb, filterArb, fc.boolean(), (events, a, b, withRest) => {
        const charges = [perUnit('1', { filters: a }), perUnit('1', { filters: b }), ...(withRest ? [perUnit('1')] : [])];
        const reads = planUsageReads(charges);
        const selections = [...reads.charges.map((read) => read!.selection), ...reads.unpriced.map((read) => read.selection)];
        expect(selections).toHaveLength(3);
        for (const e of events) expect(selections.filter((selection) => isSelected(selection, e.properties))).toHaveLength(1);
        // And so the priced plus unpriced quantities add up to all the usage.
        const result = price(charges, events);
        const counted = [...result.lineItems.map((item) => item.quantity), ...result.unpriced.map((item) => item.quantity)].reduce(
          (x, y) => x.plus(y),
          new Big(0),
        );
        expect(counted.eq(events.reduce((sum, e) => sum.plus(e.value), new Big(0)))).toBe(true);
      }),
    );
  });

  it('grouped per-unit line items sum to the ungrouped total (cent prices, cent usage: no rounding)', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 0, max: 500 }), fc.constantFrom(['region'], ['model'], ['model', 'region']), (events, cents, groupBy) => {
        const unit = new Big(cents).div(100).toFixed();
        const whole = price(
          [perUnit(unit)],
          events.map((e) => ({ ...e, value: e.value.times(100) })),
        );
        const grouped = price(
          [perUnit(unit, { groupBy })],
          events.map((e) => ({ ...e, value: e.value.times(100) })),
        );
        expect(grouped.total.eq(whole.total)).toBe(true);
      }),
    );
  });
});
