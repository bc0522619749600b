import {
  AggregationEvent,
  AggregationState,
  addValue,
  aggregateEvents,
  deserializeState,
  emptyState,
  emptyValue,
  finalValue,
  mergeStates,
  serializeState,
} from './aggregation-state';

const ev = (value: string | null, timestamp = '2026-03-17T14:00:00Z', sequence = '1'): AggregationEvent => ({ value, timestamp, sequence });
const final = (type: Parameters<typeof aggregateEvents>[0], events: AggregationEvent[]) => finalValue(aggregateEvents(type, events));

describe('aggregation examples', () => {
  it('sum adds exactly, including decimals and negatives', () => {
    expect(final('sum', [ev('1'), ev('2.5'), ev('-0.5'), ev('0.1'), ev('0.2')])).toBe('3.3');
    expect(final('sum', [ev('1000000000000000000000000000000'), ev('0.000000000001')])).toBe('1000000000000000000000000000000.000000000001');
  });

  it('count ignores values, null included', () => {
    expect(final('count', [ev('5'), ev(null), ev('anything')])).toBe('3');
  });

  it('max and min compare numerically, not as strings', () => {
    const events = [ev('9'), ev('10'), ev('-3'), ev('2.5')];
    expect(final('max', events)).toBe('10');
    expect(final('min', events)).toBe('-3');
  });

  it('unique_count compares values as strings', () => {
    expect(final('unique_count', [ev('a'), ev('b'), ev('a'), ev('A'), ev('b ')])).toBe('4');
  });

  it('latest takes the greatest timestamp, whatever the arrival order', () => {
    const events = [ev('1', '2026-03-17T14:00:00Z', '1'), ev('3', '2026-03-17T16:00:00Z', '2'), ev('2', '2026-03-17T15:00:00Z', '3')];
    expect(final('latest', events)).toBe('3');
  });

  it('latest compares instants across offsets and below the millisecond', () => {
    expect(final('latest', [ev('utc', '2026-03-17T14:30:00Z', '1'), ev('paris', '2026-03-17T15:00:00+01:00', '2')])).toBe('utc');
    expect(final('latest', [ev('later', '2026-03-17T14:00:00.0000001Z', '1'), ev('earlier', '2026-03-17T14:00:00Z', '2')])).toBe('later');
  });

  it('latest breaks timestamp ties by the greatest sequence (ingestion order), compared as bigints', () => {
    const events = [ev('second', '2026-03-17T14:00:00Z', '10'), ev('first', '2026-03-17T14:00:00Z', '9')];
    expect(final('latest', events)).toBe('second');
    expect(final('latest', [...events].reverse())).toBe('second');
    expect(final('latest', [ev('big', undefined, '90071992547409930'), ev('small', undefined, '90071992547409929')])).toBe('big');
  });

  it('latest keeps merge commutative for duplicates of one instant written differently', () => {
    const a = aggregateEvents('latest', [ev('2', '2026-03-18T05:00:00Z', '5')]);
    const b = aggregateEvents('latest', [ev('2', '2026-03-18T00:00:00-05:00', '5')]);
    expect(serializeState(mergeStates(a, b))).toEqual(serializeState(mergeStates(b, a)));
  });

  it('empty values: "0" for sum, count, unique_count; null for max, min, latest', () => {
    expect(['sum', 'count', 'unique_count', 'max', 'min', 'latest'].map((t) => emptyValue(t as never))).toEqual(['0', '0', '0', null, null, null]);
    expect(finalValue(emptyState('sum'))).toBe('0');
  });

  it('never changes the state it is given', () => {
    const state = aggregateEvents('unique_count', [ev('a')]);
    const next = addValue(state, ev('b'));
    expect(finalValue(state)).toBe('1');
    expect(finalValue(next)).toBe('2');
    const merged = mergeStates(state, next);
    expect(finalValue(state)).toBe('1');
    expect(finalValue(merged)).toBe('2');
  });

  it('refuses values it cannot aggregate', () => {
    expect(() => addValue(emptyState('sum'), ev('abc'))).toThrow('event value "abc"');
    expect(() => addValue(emptyState('max'), ev(null))).toThrow('needs an event value');
    expect(() => addValue(emptyState('latest'), ev('1', 'yesterday'))).toThrow('invalid event timestamp');
    expect(() => addValue(emptyState('latest'), ev('1', undefined, '-1'))).toThrow('invalid event sequence');
  });

  it('refuses to merge states of different types', () => {
    expect(() => mergeStates(emptyState('sum'), emptyState('count'))).toThrow('cannot merge a sum state with a count state');
  });
});

describe('serializeState / deserializeState', () => {
  it('writes strings only (null for "no value yet")', () => {
    expect(serializeState(aggregateEvents('sum', [ev('1.50'), ev('2')]))).toEqual({ type: 'sum', sum: '3.5' });
    expect(serializeState(aggregateEvents('count', [ev(null)]))).toEqual({ type: 'count', count: '1' });
    expect(serializeState(emptyState('max'))).toEqual({ type: 'max', max: null });
    expect(serializeState(aggregateEvents('min', [ev('4'), ev('-2')]))).toEqual({ type: 'min', min: '-2' });
    expect(serializeState(aggregateEvents('unique_count', [ev('b'), ev('a'), ev('b')]))).toEqual({ type: 'unique_count', values: ['a', 'b'] });
    expect(serializeState(aggregateEvents('latest', [ev('7', '2026-03-17T14:00:00Z', '3')]))).toEqual({
      type: 'latest',
      latest: { value: '7', timestamp: '2026-03-17T14:00:00Z', sequence: '3' },
    });
  });

  it('reads back long stored sums', () => {
    const sum = '9'.repeat(150);
    expect(finalValue(deserializeState({ type: 'sum', sum }))).toBe(sum);
  });

  it.each([
    [null, 'not an object'],
    [[], 'not an object'],
    [{ type: 'avg' }, 'unknown type "avg"'],
    [{ type: 'sum', sum: 3 }, 'sum must be a decimal string'],
    [{ type: 'count', count: '1e3' }, 'count must be a decimal string'],
    [{ type: 'max' }, 'max must be a decimal string'],
    [{ type: 'unique_count', values: ['a', 1] }, 'values must be strings'],
    [{ type: 'latest' }, 'latest must be an object or null'],
    [{ type: 'latest', latest: { value: '1', timestamp: '2026-03-17T14:00:00Z' } }, 'latest needs string value, timestamp and sequence'],
    [{ type: 'latest', latest: { value: '1', timestamp: 'now', sequence: '1' } }, 'invalid event timestamp'],
  ])('refuses the corrupt state %p', (raw, fragment) => {
    expect(() => deserializeState(raw)).toThrow(fragment);
  });

  it('round-trips the empty state of every type', () => {
    for (const type of ['sum', 'count', 'max', 'min', 'unique_count', 'latest'] as const) {
      const state: AggregationState = emptyState(type);
      expect(serializeState(deserializeState(JSON.parse(JSON.stringify(serializeState(state)))))).toEqual(serializeState(state));
    }
  });
});
