import Big from 'big.js';
import fc from 'fast-check';
import { decimalString } from '../testing/decimal-arbitraries';
import { compareTimestamps } from '../time/rfc3339-timestamp';
import {
  AGGREGATION_TYPES,
  AggregationEvent,
  AggregationState,
  AggregationType,
  aggregateEvents,
  deserializeState,
  emptyState,
  finalValue,
  mergeStates,
  serializeState,
} from './aggregation-state';

// Few distinct timestamps and sequences so that ties (the hard cases for `latest`) are common.
const timestampArb = fc.constantFrom(
  '2026-03-17T14:00:00Z',
  '2026-03-17T15:00:00+01:00', // same instant as the first
  '2026-03-17T14:00:00.000001Z',
  '2026-03-17T14:00:01Z',
  '2026-03-18T00:00:00-05:00',
  '2026-03-18T05:00:00Z', // same instant as the previous, written differently
);
const normalised = (text: string) => (new Big(text).eq(0) ? '0' : new Big(text).toFixed());
const eventArb: fc.Arbitrary<AggregationEvent> = fc.record({
  value: fc.oneof(
    { arbitrary: decimalString({ maxIntegerDigits: 8, maxFractionDigits: 12, allowNegative: true }).map(normalised), weight: 1 },
    { arbitrary: fc.constantFrom('1', '2', '-1', '0.5'), weight: 2 },
  ),
  timestamp: timestampArb,
  sequence: fc.bigInt({ min: 0n, max: 6n }).map(String),
});
const eventsArb = fc.array(eventArb, { maxLength: 40 });
// weighted_sum's value depends on a period; its laws and reference are in weighted-sum.spec.ts.
const typeArb = fc.constantFrom<AggregationType>(...AGGREGATION_TYPES.filter((type) => type !== 'weighted_sum'));

const canonical = (state: AggregationState) => serializeState(state);

/** Splits `events` into consecutive parts at the given cut points. */
function split<T>(items: T[], cuts: number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const parts: T[][] = [];
  let start = 0;
  for (const point of [...points, items.length]) {
    parts.push(items.slice(start, point));
    start = point;
  }
  return parts;
}

/** Merges states pairwise in a random tree shape. */
function mergeRandomly(states: AggregationState[], picks: number[], type: AggregationType): AggregationState {
  const pool = [...states];
  let i = 0;
  while (pool.length > 1) {
    const a = pool.splice((picks[i++ % picks.length] ?? 0) % pool.length, 1)[0];
    const b = pool.splice((picks[i++ % picks.length] ?? 0) % pool.length, 1)[0];
    pool.push(mergeStates(a, b));
  }
  return pool[0] ?? emptyState(type);
}

/** Independent reference for each aggregation's final value. */
function reference(type: AggregationType, events: AggregationEvent[]): string | null {
  const values = events.map((e) => new Big(e.value as string));
  const fmt = (v: Big) => (v.eq(0) ? '0' : v.toFixed());
  switch (type) {
    case 'sum':
      return fmt(values.reduce((a, b) => a.plus(b), new Big(0)));
    case 'count':
      return String(events.length);
    case 'max':
      return values.length ? fmt(values.reduce((a, b) => (b.gt(a) ? b : a))) : null;
    case 'min':
      return values.length ? fmt(values.reduce((a, b) => (b.lt(a) ? b : a))) : null;
    case 'unique_count':
      return String(new Set(events.map((e) => e.value)).size);
    case 'latest': {
      if (!events.length) return null;
      const sorted = [...events].sort(
        (x, y) =>
          compareTimestamps(x.timestamp, y.timestamp) ||
          (BigInt(x.sequence) === BigInt(y.sequence) ? 0 : BigInt(x.sequence) > BigInt(y.sequence) ? 1 : -1) ||
          ((x.value as string) === y.value ? 0 : (x.value as string) > (y.value as string) ? 1 : -1) ||
          (x.timestamp === y.timestamp ? 0 : x.timestamp > y.timestamp ? 1 : -1),
      );
      return sorted[sorted.length - 1].value;
    }
    case 'weighted_sum':
      throw new Error('weighted_sum has its own reference in weighted-sum.spec.ts');
  }
}

describe('aggregation states are a commutative monoid', () => {
  it('aggregating all at once matches an independent reference', () => {
    fc.assert(
      fc.property(typeArb, eventsArb, (type, events) => {
        expect(finalValue(aggregateEvents(type, events))).toBe(reference(type, events));
      }),
    );
  });

  it('any split, aggregated per part and merged in any order and grouping, equals aggregating all at once', () => {
    fc.assert(
      fc.property(
        typeArb,
        eventsArb,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        (type, events, cuts, picks) => {
          const whole = aggregateEvents(type, events);
          const parts = split(events, cuts).map((part) => aggregateEvents(type, part));
          const merged = mergeRandomly(parts, picks, type);
          expect(canonical(merged)).toEqual(canonical(whole));
          expect(finalValue(merged)).toBe(finalValue(whole));
        },
      ),
    );
  });

  it('merge is associative and commutative, with emptyState as identity', () => {
    fc.assert(
      fc.property(typeArb, eventsArb, eventsArb, eventsArb, (type, e1, e2, e3) => {
        const [a, b, c] = [e1, e2, e3].map((events) => aggregateEvents(type, events));
        expect(canonical(mergeStates(mergeStates(a, b), c))).toEqual(canonical(mergeStates(a, mergeStates(b, c))));
        expect(canonical(mergeStates(a, b))).toEqual(canonical(mergeStates(b, a)));
        expect(canonical(mergeStates(a, emptyState(type)))).toEqual(canonical(a));
        expect(canonical(mergeStates(emptyState(type), a))).toEqual(canonical(a));
      }),
    );
  });

  it('serialize → JSON → deserialize round-trips every state', () => {
    fc.assert(
      fc.property(typeArb, eventsArb, (type, events) => {
        const state = aggregateEvents(type, events);
        const stored = JSON.parse(JSON.stringify(serializeState(state)));
        const restored = deserializeState(stored);
        expect(canonical(restored)).toEqual(canonical(state));
        expect(finalValue(restored)).toBe(finalValue(state));
        // A restored state keeps aggregating like the original.
        expect(canonical(mergeStates(restored, state))).toEqual(canonical(mergeStates(state, state)));
      }),
    );
  });
});
