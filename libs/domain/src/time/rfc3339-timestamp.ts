/*
 * RFC 3339 timestamps as the contract wants them: a date, "T", a time, optional fraction (up to
 * nanoseconds) and a mandatory offset ("Z" or ±hh:mm). A timestamp without an offset is ambiguous
 * and refused. Time is not money, so epoch milliseconds as JS numbers are fine here.
 */
const RFC3339_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export type ParseTimestampResult = { ok: true; value: Date } | { ok: false; message: string };

/** An instant with sub-millisecond digits kept, so ordering agrees with PostgreSQL's microseconds. */
export interface PreciseInstant {
  epochMillis: number;
  /** Nanoseconds within the millisecond, 0–999999. */
  subMillisNanos: number;
}

/** Parses an RFC 3339 timestamp with offset (Date precision: milliseconds; finer digits dropped). */
export function parseTimestamp(raw: unknown): ParseTimestampResult {
  if (raw instanceof Date) {
    return Number.isNaN(raw.getTime()) ? { ok: false, message: 'is an invalid date' } : { ok: true, value: new Date(raw.getTime()) };
  }
  if (typeof raw !== 'string') {
    return { ok: false, message: 'must be an RFC 3339 timestamp string such as "2026-03-17T14:00:00Z"' };
  }
  const instant = parsePreciseInstant(raw);
  if (!instant) {
    return { ok: false, message: 'must be an RFC 3339 timestamp with an offset, such as "2026-03-17T14:00:00Z"' };
  }
  return { ok: true, value: new Date(instant.epochMillis) };
}

/** Parses like parseTimestamp but keeps the digits below the millisecond; undefined when invalid. */
export function parsePreciseInstant(text: string): PreciseInstant | undefined {
  const match = RFC3339_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Leap seconds (":60") are refused: Date and PostgreSQL cannot represent them.
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (!zulu) {
    const offsetHours = Number(oh);
    const offsetMins = Number(om);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const nanos = fraction.padEnd(9, '0');
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, Number(nanos.slice(0, 3)));
  const epochMillis = date.getTime();
  if (Number.isNaN(epochMillis)) return undefined;
  return { epochMillis, subMillisNanos: Number(nanos.slice(3)) };
}

/** Orders two RFC 3339 timestamps by instant, to the nanosecond. Throws on invalid input. */
export function compareTimestamps(a: string, b: string): -1 | 0 | 1 {
  const x = requireInstant(a);
  const y = requireInstant(b);
  if (x.epochMillis !== y.epochMillis) return x.epochMillis < y.epochMillis ? -1 : 1;
  if (x.subMillisNanos !== y.subMillisNanos) return x.subMillisNanos < y.subMillisNanos ? -1 : 1;
  return 0;
}

/** Output form of the API: always UTC with "Z". */
export function formatTimestamp(value: Date): string {
  return value.toISOString();
}

/** Accepts a Date or an RFC 3339 string; throws TypeError otherwise (for already-validated input). */
export function toDate(value: Date | string, name = 'timestamp'): Date {
  const parsed = parseTimestamp(value);
  if (!parsed.ok) throw new TypeError(`${name} ${parsed.message}`);
  return parsed.value;
}

function requireInstant(text: string): PreciseInstant {
  const instant = parsePreciseInstant(text);
  if (!instant) throw new TypeError(`invalid RFC 3339 timestamp: ${text}`);
  return instant;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
