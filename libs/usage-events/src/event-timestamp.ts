import { parsePreciseInstant } from '@abaxus/domain/time/rfc3339-timestamp';

/**
 * An event instant as the store keeps it. PostgreSQL holds microseconds, so digits below the
 * microsecond are truncated here (never rounded: rounding could move an event across an hour or
 * period boundary), and every path (buckets, latest tie-breaks, exact reads) sees the same instant.
 */
export interface EventInstant {
  epochMillis: number;
  /** Microseconds within the millisecond, 0–999. */
  micros: number;
  /** Canonical UTC form, e.g. `2026-03-17T14:00:00.000Z` or `2026-03-17T14:00:00.123456Z`. */
  iso: string;
}

export const HOUR_MS = 3_600_000;

// The form JavaScript producers send (`toISOString()`): already canonical, so a round trip through
// Date both validates it (2026-02-30 does not survive) and gives the instant, at a fraction of
// the cost of the general parser. Everything else takes the general RFC 3339 parser.
const CANONICAL_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Parses an RFC 3339 timestamp with offset into its stored instant; undefined when invalid. */
export function parseEventInstant(text: string): EventInstant | undefined {
  if (CANONICAL_UTC.test(text)) {
    const epochMillis = Date.parse(text);
    if (!Number.isNaN(epochMillis) && new Date(epochMillis).toISOString() === text) return { epochMillis, micros: 0, iso: text };
  }
  const precise = parsePreciseInstant(text);
  if (!precise) return undefined;
  const micros = Math.floor(precise.subMillisNanos / 1000);
  const base = new Date(precise.epochMillis).toISOString();
  const iso = micros === 0 ? base : `${base.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
  return { epochMillis: precise.epochMillis, micros, iso };
}

/** Start of the UTC hour holding the instant, in epoch milliseconds. */
export function hourStartOf(epochMillis: number): number {
  return Math.floor(epochMillis / HOUR_MS) * HOUR_MS;
}
