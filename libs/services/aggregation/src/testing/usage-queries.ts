/* Usage queries for tests, on whatever answers them: the aggregation service alone or the gateway. */

export interface UsagePeriod {
  customer_id: string;
  metric_key: string;
  period_start: string;
  period_end: string;
  subscription_id?: string;
}

/** One JSON request; `api` of a ServiceUnderTest or of the whole engine's TestEngine. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON, read by key
export type UsageApi = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any; text: string }>;

function queryString(period: UsagePeriod | Record<string, string>): string {
  return new URLSearchParams(Object.entries(period).filter(([, value]) => value !== undefined) as Array<[string, string]>).toString();
}

/** The body of POST /internal/v1/usage/billable-batch asking one query of a period (and its other fields). */
export function billableBatchOf<T extends UsagePeriod>(period: T): Record<string, unknown> {
  const { customer_id, subscription_id, ...query } = period;
  return { customer_id, ...(subscription_id === undefined ? {} : { subscription_id }), queries: [query] };
}

/** The internal billable figure pricing uses (a batch of one query, on the aggregation service itself). */
export async function billableUsage<T extends UsagePeriod>(aggregation: UsageApi, period: T): Promise<string | null> {
  const response = await aggregation('POST', '/internal/v1/usage/billable-batch', billableBatchOf(period));
  if (response.status !== 200) throw new Error(`billable answered ${response.status}: ${response.text}`);
  return response.body.answers[0].value;
}

/** POST /v1/usage/compute; fails the test on anything but 200. */
export async function computeUsage(api: UsageApi, period: UsagePeriod): Promise<string | null> {
  const response = await api('POST', '/v1/usage/compute', period);
  if (response.status !== 200) throw new Error(`compute answered ${response.status}: ${response.text}`);
  expect(response.body.meta.consistency).toBe('strong');
  return response.body.value;
}

/** GET /v1/usage/summary; fails the test on anything but 200. */
export async function summaryUsage(api: UsageApi, period: UsagePeriod): Promise<string | null> {
  const response = await api('GET', `/v1/usage/summary?${queryString(period)}`);
  if (response.status !== 200) throw new Error(`summary answered ${response.status}: ${response.text}`);
  expect(response.body.meta).toEqual({ consistency: 'eventual', as_of: expect.stringMatching(/Z$/) });
  return response.body.value;
}

/**
 * Compute first (it waits until every acknowledged event is stored, buckets included), then the
 * summary, which must agree: both figures, for one assertion.
 */
export async function computeThenSummary(api: UsageApi, period: UsagePeriod): Promise<{ compute: string | null; summary: string | null }> {
  const compute = await computeUsage(api, period);
  const summary = await summaryUsage(api, period);
  return { compute, summary };
}

export async function histogram(
  api: UsageApi,
  period: UsagePeriod & { granularity: 'hour' | 'day' },
): Promise<Array<{ start: string; end: string; value: string | null }>> {
  const response = await api('GET', `/v1/usage/histogram?${queryString(period)}`);
  if (response.status !== 200) throw new Error(`histogram answered ${response.status}: ${response.text}`);
  return response.body.buckets;
}
