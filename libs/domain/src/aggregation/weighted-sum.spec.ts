import Big from 'big.js';
import fc from 'fast-check';
import { decimalString } from '../testing/decimal-arbitraries';
import type { AggregationEvent } from './aggregation-state';
import {
  aggregateWeightedSum,
  deserializeWeightedSum,
  emptyWeightedSum,
  mergeWeightedSums,
  serializeWeightedSum,
  WeightedSumState,
  weightedSumValue,
} from './weighted-sum';

const event = (timestamp: string, value: string, sequence = '1'): AggregationEvent => ({ timestamp, value, sequence });
const MARCH = ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'] as const;

describe('weightedSumValue', () => {
  it('holds each value until the next event: 10 seats all month, 20 from the 16th (of 31 days)', () => {
    const state = aggregateWeightedSum([event('2026-03-01T00:00:00Z', '10'), event('2026-03-16T00:00:00Z', '20', '2')]);
    // (10 × 15 days + 20 × 16 days) / 31 days = 470 / 31 = 15.161290322580645…
    expect(weightedSumValue(state, ...MARCH)).toBe('15.161290322581');
  });

  it('starts from the last value before the period and ignores events after it', () => {
    const state = aggregateWeightedSum([
      event('2026-02-20T00:00:00Z', '4'),
      event('2026-03-01T06:00:00Z', '8', '2'),
      event('2026-03-01T12:00:00Z', '100', '3'),
    ]);
    // Period [00:00, 12:00): 4 for 6 h, 8 for 6 h → 6.
    expect(weightedSumValue(state, '2026-03-01T00:00:00Z', '2026-03-01T12:00:00Z')).toBe('6');
  });

  it('splits at a plan change: each piece weighed over the whole period, the pieces add up to it', () => {
    const state = aggregateWeightedSum([event('2026-03-01T00:00:00Z', '10'), event('2026-03-16T00:00:00Z', '20', '2')]);
    const over = { start: MARCH[0], end: MARCH[1] };
    // Change on the 11th: 10 seats × 10 days / 31, then (10 × 5 + 20 × 16) days / 31.
    const before = weightedSumValue(state, MARCH[0], '2026-03-11T00:00:00Z', over);
    const after = weightedSumValue(state, '2026-03-11T00:00:00Z', MARCH[1], over);
    expect([before, after]).toEqual(['3.225806451613', '11.935483870968']);
    expect(new Big(before).plus(after).toFixed()).toBe('15.161290322581');
    expect(() => weightedSumValue(state, MARCH[0], MARCH[1], { start: '2026-03-02T00:00:00Z', end: MARCH[1] })).toThrow('must contain the period');
  });

  it('pieces weighed over the whole add up to the whole within one rounding step per piece, for random streams and change instants', () => {
    const day = 86_400_000;
    const start = Date.parse(MARCH[0]);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: -5 * day, max: 31 * day - 1 }), value: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 31 * day - 1 }),
        (points, cut) => {
          const state = aggregateWeightedSum(points.map((point, i) => event(new Date(start + point.at).toISOString(), String(point.value), String(i + 1))));
          const middle = new Date(start + cut).toISOString();
          const over = { start: MARCH[0], end: MARCH[1] };
          const pieces = new Big(weightedSumValue(state, MARCH[0], middle, over)).plus(weightedSumValue(state, middle, MARCH[1], over));
          const whole = new Big(weightedSumValue(state, ...MARCH));
          expect(pieces.minus(whole).abs().lte('0.000000000002')).toBe(true);
        },
      ),
    );
  });

  it('is 0 with nothing held, and keeps sub-millisecond instants', () => {
    expect(weightedSumValue(emptyWeightedSum(), ...MARCH)).toBe('0');
    const state = aggregateWeightedSum([event('2026-03-01T00:00:00.0000005Z', '1')]);
    expect(weightedSumValue(state, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00.000001Z')).toBe('0.5');
  });

  it('at one instant the later-ingested event wins, whatever order they arrive in', () => {
    const a = event('2026-03-10T00:00:00Z', '5', '7');
    const b = event('2026-03-10T01:00:00+01:00', '9', '8');
    expect(weightedSumValue(aggregateWeightedSum([a, b]), '2026-03-10T00:00:00Z', '2026-03-10T01:00:00Z')).toBe('9');
    expect(weightedSumValue(aggregateWeightedSum([b, a]), '2026-03-10T00:00:00Z', '2026-03-10T01:00:00Z')).toBe('9');
  });
});

// Events at whole seconds of one minute, so a brute-force reference can sample every second.
const START = Date.parse('2026-03-17T14:00:00Z');
const at = (second: number) => new Date(START + second * 1000).toISOString();
const eventArb: fc.Arbitrary<AggregationEvent> = fc.record({
  timestamp: fc.integer({ min: -5, max: 64 }).map(at),
  value: decimalString({ maxIntegerDigits: 4, maxFractionDigits: 4, allowNegative: true }),
  sequence: fc.bigInt({ min: 0n, max: 1000n }).map(String),
});
const eventsArb = fc.array(eventArb, { maxLength: 30 });

/** Per second of [0, 60): the value of the latest event (instant, then sequence) at or before it. */
function bruteForce(events: AggregationEvent[]): string {
  let total = new Big(0);
  for (let second = 0; second < 60; second += 1) {
    const held = events
      .filter((e) => Date.parse(e.timestamp) <= START + second * 1000)
      .sort(
        (x, y) =>
          Date.parse(x.timestamp) - Date.parse(y.timestamp) ||
          Number(BigInt(x.sequence) - BigInt(y.sequence)) ||
          (x.value! > y.value! ? 1 : x.value! < y.value! ? -1 : 0),
      )
      .pop();
    if (held) total = total.plus(held.value!);
  }
  const value = total.div(60).round(12, Big.roundHalfUp);
  return value.eq(0) ? '0' : value.toFixed();
}

function mergeAll(states: WeightedSumState[]): WeightedSumState {
  return states.reduce(mergeWeightedSums, emptyWeightedSum());
}

describe('weighted_sum is exact and mergeable', () => {
  it('agrees with a brute-force per-second reference over random event streams', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        expect(weightedSumValue(aggregateWeightedSum(events), at(0), at(60))).toBe(bruteForce(events));
      }),
    );
  });

  it('any split into buckets (by time or by arrival), merged in any order, gives the same state and value', () => {
    fc.assert(
      fc.property(eventsArb, fc.array(fc.integer({ min: -5, max: 64 }), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (events, cuts, order) => {
        const whole = aggregateWeightedSum(events);
        const boundaries = [...new Set(cuts)].sort((a, b) => a - b).map((second) => START + second * 1000);
        const bucketOf = (e: AggregationEvent) => boundaries.filter((boundary) => Date.parse(e.timestamp) >= boundary).length;
        const buckets = new Map<number, AggregationEvent[]>();
        for (const e of events) buckets.set(bucketOf(e), [...(buckets.get(bucketOf(e)) ?? []), e]);
        const states = [...buckets.values()].map(aggregateWeightedSum);
        const shuffled = states.map((state, index) => ({ state, key: order[index] ?? index })).sort((x, y) => x.key - y.key);
        const merged = mergeAll(shuffled.map((entry) => entry.state));
        expect(serializeWeightedSum(merged)).toEqual(serializeWeightedSum(whole));
        expect(weightedSumValue(merged, at(0), at(60))).toBe(weightedSumValue(whole, at(0), at(60)));
        // Arrival batches interleave in time (late events): still exact.
        const byArrival = [events.filter((_, i) => i % 2 === 0), events.filter((_, i) => i % 2 === 1)].map(aggregateWeightedSum);
        expect(serializeWeightedSum(mergeWeightedSums(byArrival[1], byArrival[0]))).toEqual(serializeWeightedSum(whole));
      }),
    );
  });

  it('merge is associative, commutative and idempotent, with the empty state as identity', () => {
    fc.assert(
      fc.property(eventsArb, eventsArb, eventsArb, (e1, e2, e3) => {
        const [a, b, c] = [e1, e2, e3].map(aggregateWeightedSum);
        const canonical = serializeWeightedSum;
        expect(canonical(mergeWeightedSums(mergeWeightedSums(a, b), c))).toEqual(canonical(mergeWeightedSums(a, mergeWeightedSums(b, c))));
        expect(canonical(mergeWeightedSums(a, b))).toEqual(canonical(mergeWeightedSums(b, a)));
        expect(canonical(mergeWeightedSums(a, a))).toEqual(canonical(a));
        expect(canonical(mergeWeightedSums(a, emptyWeightedSum()))).toEqual(canonical(a));
      }),
    );
  });

  it('serialize → JSON → deserialize round-trips, and corrupt states are refused', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const state = aggregateWeightedSum(events);
        expect(serializeWeightedSum(deserializeWeightedSum(JSON.parse(JSON.stringify(serializeWeightedSum(state)))))).toEqual(serializeWeightedSum(state));
      }),
    );
    expect(() => deserializeWeightedSum({ type: 'sum', sum: '1' })).toThrow('invalid serialized weighted_sum state');
    expect(() => deserializeWeightedSum({ type: 'weighted_sum', points: [{ value: 1 }] })).toThrow('each point needs');
  });
});
