import { mergesInSql, wholeDays } from './daily-rollups';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('mergesInSql', () => {
  it('knows which types have daily rollups', () => {
    expect((['sum', 'count', 'max', 'min', 'unique_count', 'latest', 'weighted_sum'] as const).filter(mergesInSql)).toEqual(['sum', 'count', 'max', 'min']);
  });
});

describe('wholeDays', () => {
  it('takes the whole UTC days inside whole hours, and an empty range when none fits', () => {
    const iso = ({ fromDay, toDay }: { fromDay: number; toDay: number }) => [new Date(fromDay).toISOString(), new Date(toDay).toISOString()];
    expect(iso(wholeDays(at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z')))).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(iso(wholeDays(at('2026-03-14T23:00:00Z'), at('2026-03-17T05:00:00Z')))).toEqual(['2026-03-15T00:00:00.000Z', '2026-03-17T00:00:00.000Z']);
    expect(iso(wholeDays(at('2026-03-15T01:00:00Z'), at('2026-03-16T01:00:00Z')))).toEqual(['2026-03-16T01:00:00.000Z', '2026-03-16T01:00:00.000Z']);
    expect(iso(wholeDays(at('2026-03-15T00:00:00Z'), at('2026-03-15T00:00:00Z') + 23 * HOUR))).toEqual([
      '2026-03-15T23:00:00.000Z',
      '2026-03-15T23:00:00.000Z',
    ]);
  });
});
