import { TestEngine } from '../test-engine';

export interface UsagePeriod {
  customer_id: string;
  metric_key: string;
  period_start: string;
  period_end: string;
  subscription_id?: string;
}

function queryString(period: UsagePeriod | Record<string, string>): string {
  return new URLSearchParams(Object.entries(period).filter(([, value]) => value !== undefined) as Array<[string, string]>).toString();
}

/** The internal billable figure pricing uses, asked of the aggregation service directly. */
export async function billableUsage(engine: TestEngine, period: UsagePeriod): Promise<string | null> {
  const response = await fetch(`${engine.serviceUrl('aggregation')}/internal/v1/usage/billable`, {
    method: 'POST',
    headers: { ...engine.serviceHeaders(), 'content-type': 'application/json' },
    body: JSON.stringify(period),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`billable answered ${response.status}: ${text}`);
  return JSON.parse(text).value;
}

/** POST /v1/usage/compute through the gateway; fails the test on anything but 200. */
export async function computeUsage(engine: TestEngine, period: UsagePeriod): Promise<string | null> {
  const response = await engine.api('POST', '/v1/usage/compute', period);
  if (response.status !== 200) throw new Error(`compute answered ${response.status}: ${response.text}`);
  expect(response.body.meta.consistency).toBe('strong');
  return response.body.value;
}

/** GET /v1/usage/summary through the gateway; fails the test on anything but 200. */
export async function summaryUsage(engine: TestEngine, period: UsagePeriod): Promise<string | null> {
  const response = await engine.api('GET', `/v1/usage/summary?${queryString(period)}`);
  if (response.status !== 200) throw new Error(`summary answered ${response.status}: ${response.text}`);
  expect(response.body.meta).toEqual({ consistency: 'eventual', as_of: expect.stringMatching(/Z$/) });
  return response.body.value;
}

/**
 * Compute first (it waits until every acknowledged event is stored, buckets included), then the
 * summary, which must agree: both figures, for one assertion.
 */
export async function computeThenSummary(engine: TestEngine, period: UsagePeriod): Promise<{ compute: string | null; summary: string | null }> {
  const compute = await computeUsage(engine, period);
  const summary = await summaryUsage(engine, period);
  return { compute, summary };
}

export async function histogram(
  engine: TestEngine,
  period: UsagePeriod & { granularity: 'hour' | 'day' },
): Promise<Array<{ start: string; end: string; value: string | null }>> {
  const response = await engine.api('GET', `/v1/usage/histogram?${queryString(period)}`);
  if (response.status !== 200) throw new Error(`histogram answered ${response.status}: ${response.text}`);
  return response.body.buckets;
}
