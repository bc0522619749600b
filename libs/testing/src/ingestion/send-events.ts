import { TestEngine } from '../test-engine';

/** POST /v1/events; fails the test unless 202. */
export async function sendEvent(engine: TestEngine, event: Record<string, unknown>): Promise<void> {
  const response = await engine.api('POST', '/v1/events', event);
  if (response.status !== 202) throw new Error(`POST /v1/events answered ${response.status}: ${response.text}`);
}

/** POST /v1/events/batch (or /backfill); fails the test unless every item answered 202. */
export async function sendBatch(engine: TestEngine, events: Array<Record<string, unknown>>, path = '/v1/events/batch'): Promise<void> {
  const response = await engine.api('POST', path, { events });
  if (response.status !== 207) throw new Error(`POST ${path} answered ${response.status}: ${response.text}`);
  const refused = (response.body.results as Array<{ status: number }>).filter((result) => result.status !== 202);
  if (refused.length > 0) throw new Error(`POST ${path} refused items: ${JSON.stringify(refused)}`);
}
