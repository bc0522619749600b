import { problemBody, ProblemBody } from '@abaxus/platform/http/problem.exception';
import { EventVerdict } from './usage-event-validator';

/** One item of a 207 answer (batch and backfill). */
export interface EventItemResult {
  index: number;
  idempotency_key: string | null;
  status: number;
  error?: ProblemBody;
}

/** Accepted items (duplicates included: they are silently skipped) answer 202, invalid ones 400. */
export function eventItemResults(items: readonly unknown[], verdicts: EventVerdict[]): EventItemResult[] {
  return verdicts.map((verdict, index) =>
    verdict.ok
      ? { index, idempotency_key: verdict.event.idempotencyKey, status: 202 }
      : {
          index,
          idempotency_key: idempotencyKeyOf(items[index]),
          status: 400,
          error: problemBody(400, 'validation_failed', `Event ${index} is not valid.`, { errors: verdict.errors }),
        },
  );
}

function idempotencyKeyOf(item: unknown): string | null {
  const key = item && typeof item === 'object' ? (item as Record<string, unknown>).idempotency_key : undefined;
  return typeof key === 'string' ? key : null;
}
