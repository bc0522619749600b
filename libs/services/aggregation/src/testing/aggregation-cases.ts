/*
 * One scenario for every aggregation type: six events over four hours of 2026-03-17, sent out of
 * order, two of them sharing a timestamp (ties go to ingestion order), and duplicates of two keys
 * with other values and timestamps (ignored: the first event of a key wins). Expected figures are
 * worked out by hand per period, aligned to hours or not.
 */
export type AggregationCase = {
  type: 'sum' | 'count' | 'max' | 'min' | 'unique_count' | 'latest';
  valueType: 'integer' | 'decimal' | 'string';
  /** Values of e1..e6 (undefined: no value, for count) and of the duplicates. */
  values: Array<string | undefined>;
  duplicateValue: string | undefined;
  expected: Record<PeriodName, string | null>;
};

export const EVENT_TIMES = [
  '2026-03-17T10:15:00Z', // e1
  '2026-03-17T12:40:00Z', // e2
  '2026-03-17T11:05:00Z', // e3
  '2026-03-17T10:59:59.999999Z', // e4
  '2026-03-17T13:00:00Z', // e5
  '2026-03-17T14:00:00+01:00', // e6: the same instant as e5, accepted after it
];

/** Order of sending (out of timestamp order); e6 is sent after e5 was acknowledged. */
export const SEND_ORDER = [[1], [4], [0, 2, 3], [5]];

/** e3 again at another time with another value, and e1 resent as is. */
export const DUPLICATES = [
  { of: 2, timestamp: '2026-03-17T12:00:00Z' },
  { of: 0, timestamp: EVENT_TIMES[0] },
];

export const PERIODS = {
  aligned: ['2026-03-17T10:00:00Z', '2026-03-17T14:00:00Z'],
  inner: ['2026-03-17T10:30:00Z', '2026-03-17T13:00:00Z'],
  withinOneHour: ['2026-03-17T10:15:00Z', '2026-03-17T10:59:59.999999Z'],
  microsecondEdges: ['2026-03-17T10:59:59.999999Z', '2026-03-17T13:00:00.000001Z'],
  offsets: ['2026-03-17T12:30:00+01:00', '2026-03-17T14:30:00+01:00'],
  empty: ['2026-03-17T14:00:00Z', '2026-03-17T15:00:00Z'],
} as const;

export type PeriodName = keyof typeof PERIODS;

export const AGGREGATION_CASES: AggregationCase[] = [
  {
    type: 'sum',
    valueType: 'integer',
    values: ['5', '3', '10', '2', '7', '1'],
    duplicateValue: '1000',
    expected: { aligned: '28', inner: '15', withinOneHour: '5', microsecondEdges: '23', offsets: '11', empty: '0' },
  },
  {
    type: 'count',
    valueType: 'integer',
    values: [undefined, undefined, undefined, undefined, undefined, undefined],
    duplicateValue: undefined,
    expected: { aligned: '6', inner: '3', withinOneHour: '1', microsecondEdges: '5', offsets: '3', empty: '0' },
  },
  {
    type: 'max',
    valueType: 'decimal',
    values: ['5', '3.25', '10', '-1.5', '7', '0.5'],
    duplicateValue: '1000',
    expected: { aligned: '10', inner: '10', withinOneHour: '5', microsecondEdges: '10', offsets: '7', empty: null },
  },
  {
    type: 'min',
    valueType: 'decimal',
    values: ['5', '3.25', '10', '-1.5', '7', '0.5'],
    duplicateValue: '-1000',
    expected: { aligned: '-1.5', inner: '-1.5', withinOneHour: '5', microsecondEdges: '-1.5', offsets: '0.5', empty: null },
  },
  {
    type: 'unique_count',
    valueType: 'string',
    values: ['a', 'b', 'a', 'c', 'b', 'd'],
    duplicateValue: 'zzz',
    expected: { aligned: '4', inner: '3', withinOneHour: '1', microsecondEdges: '4', offsets: '2', empty: '0' },
  },
  {
    type: 'latest',
    valueType: 'decimal',
    values: ['5', '3.25', '10', '-1.5', '7', '8'],
    duplicateValue: '1000',
    expected: { aligned: '8', inner: '3.25', withinOneHour: '5', microsecondEdges: '8', offsets: '8', empty: null },
  },
];
