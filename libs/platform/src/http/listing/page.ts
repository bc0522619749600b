import { ProblemException } from '../problem.exception';

/** The contract's list answer. `next_cursor` is the `starting_after` of the next page. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Builds a page from up to limit + 1 rows (the extra one only tells that more exist). */
export function toPage<T>(rows: T[], limit: number, cursorOf: (item: T) => string): Page<T> {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  return { data, has_more: hasMore, next_cursor: hasMore ? cursorOf(data[data.length - 1]) : null };
}

export function unknownCursor(cursor: string): ProblemException {
  return ProblemException.validation(
    [{ field: 'starting_after', message: `no item "${cursor}" in this list; use the next_cursor of a previous page` }],
    'The list cursor is not valid.',
  );
}
