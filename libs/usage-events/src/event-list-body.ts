import { ProblemException } from '@abaxus/platform/http/problem.exception';

/** Most events one POST /v1/events/batch may carry. */
export const MAX_BATCH_EVENTS = 500;
/** Most events one POST /v1/events/backfill may carry. */
export const MAX_BACKFILL_EVENTS = 5000;

/**
 * Reads `{"events": [...]}` (batch and backfill): 1 to `max` items, nothing else in the body.
 * Too many → 413; empty, missing or not a list → 400.
 */
export function readEventList(body: unknown, max: number): unknown[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw ProblemException.validation([{ field: 'body', message: 'must be a JSON object like {"events": [...]}' }]);
  }
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((field) => field !== 'events');
  if (unknown.length > 0) throw ProblemException.validation(unknown.map((field) => ({ field, message: 'is not a known field' })));
  const events = record.events;
  if (!Array.isArray(events)) throw ProblemException.validation([{ field: 'events', message: 'must be a list of events' }]);
  if (events.length === 0) throw ProblemException.validation([{ field: 'events', message: `must hold 1 to ${max} events` }]);
  if (events.length > max) {
    throw new ProblemException(413, 'too_many_events', `A request may carry at most ${max} events; this one has ${events.length}. Split it.`, {
      errors: [{ field: 'events', message: `must hold 1 to ${max} events` }],
    });
  }
  return events;
}
