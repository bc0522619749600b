import { compareTimestamps, formatTimestamp, parsePreciseInstant, parseTimestamp, toDate } from './rfc3339-timestamp';

describe('parseTimestamp', () => {
  it.each([
    ['2026-03-17T14:00:00Z', '2026-03-17T14:00:00.000Z'],
    ['2026-03-17t14:00:00z', '2026-03-17T14:00:00.000Z'],
    ['2026-03-17T15:00:00+01:00', '2026-03-17T14:00:00.000Z'],
    ['2026-03-17T09:30:00-04:30', '2026-03-17T14:00:00.000Z'],
    ['2026-03-17T14:00:00.123456789Z', '2026-03-17T14:00:00.123Z'],
    ['2026-03-17T14:00:00.5Z', '2026-03-17T14:00:00.500Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    const result = parseTimestamp(text);
    expect(result.ok && result.value.toISOString()).toBe(iso);
  });

  it.each([
    '2026-03-17T14:00:00', // no offset
    '2026-03-17 14:00:00Z',
    '2026-03-17',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-03-17T24:00:00Z',
    '2026-03-17T23:60:00Z',
    '2026-12-31T23:59:60Z',
    '2026-03-17T14:00:00.Z',
    '2026-03-17T14:00:00.1234567890Z',
    '2026-03-17T14:00:00+2400',
    '2026-03-17T14:00:00+24:00',
    ' 2026-03-17T14:00:00Z',
    'yesterday',
  ])('refuses %p', (text) => {
    expect(parseTimestamp(text)).toEqual({
      ok: false,
      message: 'must be an RFC 3339 timestamp with an offset, such as "2026-03-17T14:00:00Z"',
    });
  });

  it('accepts valid Dates (copied) and refuses invalid ones and other types', () => {
    const date = new Date('2026-03-17T14:00:00Z');
    const result = parseTimestamp(date);
    expect(result.ok && result.value.getTime()).toBe(date.getTime());
    expect(result.ok && result.value).not.toBe(date);
    expect(parseTimestamp(new Date('nope'))).toEqual({ ok: false, message: 'is an invalid date' });
    expect(parseTimestamp(1710684000000).ok).toBe(false);
  });
});

describe('compareTimestamps', () => {
  it.each([
    ['2026-03-17T14:00:00Z', '2026-03-17T15:00:00+01:00', 0],
    ['2026-03-17T14:00:00Z', '2026-03-17T14:00:00.000000001Z', -1],
    ['2026-03-17T14:00:00.000001Z', '2026-03-17T14:00:00.0000009Z', 1],
    ['2026-03-17T14:00:00.1Z', '2026-03-17T14:00:00.100000Z', 0],
    ['2026-03-18T00:00:00-05:00', '2026-03-18T04:59:59.999999999Z', 1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareTimestamps(a, b)).toBe(expected);
    expect(compareTimestamps(b, a)).toBe(-expected || 0);
  });

  it('throws on invalid timestamps', () => {
    expect(() => compareTimestamps('now', '2026-03-17T14:00:00Z')).toThrow('invalid RFC 3339 timestamp: now');
  });

  it('keeps the digits below the millisecond', () => {
    expect(parsePreciseInstant('2026-03-17T14:00:00.123456789Z')).toEqual({
      epochMillis: Date.UTC(2026, 2, 17, 14, 0, 0, 123),
      subMillisNanos: 456789,
    });
  });
});

describe('formatTimestamp / toDate', () => {
  it('writes UTC with Z', () => {
    expect(formatTimestamp(toDate('2026-03-17T15:00:00+01:00'))).toBe('2026-03-17T14:00:00.000Z');
  });

  it('toDate throws a TypeError naming the input', () => {
    expect(() => toDate('2026-03-17', 'cutoff')).toThrow(TypeError);
    expect(() => toDate('2026-03-17', 'cutoff')).toThrow(/^cutoff must be an RFC 3339 timestamp/);
  });
});
