import type { components } from '@abaxus/sdk';

/*
 * The console's only door to the engine: the public /v1 API through the gateway, with the
 * operator's key as "Authorization: Bearer <key>". The key lives in sessionStorage (gone when the
 * tab closes), never in a URL, a log line or localStorage.
 */

export type Schemas = components['schemas'];
export type Customer = Schemas['Customer'];
export type Subscription = Schemas['Subscription'];
export type Invoice = Schemas['Invoice'];
export type InvoiceLineItem = Schemas['InvoiceLineItem'];
export type UpcomingInvoice = Schemas['UpcomingInvoice'];
export type PricePlanVersion = Schemas['PricePlanVersion'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type Alert = Schemas['Alert'];
export type UsageHistogram = Schemas['UsageHistogram'];
export type Metric = Schemas['Metric'];

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** An answer other than 2xx, read from its application/problem+json body when it has one. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly code: string | undefined,
    readonly errors: FieldProblem[],
    /** A declined card's reason (charge answers 402 with Stripe's decline_code). */
    readonly declineCode?: string,
  ) {
    super(title);
  }
}

const KEY_ITEM = 'abaxus.console.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  signIn: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
};

/** Query strings from optional values (undefined and empty ones left out). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function send(method: string, path: string, body?: unknown, key = session.key()): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json, application/pdf' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  // Actions carry an Idempotency-Key: a double click or a retried request acts once.
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiProblem(0, 'The engine cannot be reached', (error as Error).message, 'network_error', []);
  }
  if (response.ok) return response;
  throw await problemOf(response);
}

async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string; code?: string; errors?: FieldProblem[]; decline_code?: string };
    const errors = Array.isArray(problem.errors) ? problem.errors : [];
    return new ApiProblem(response.status, problem.title ?? response.statusText, problem.detail, problem.code, errors, problem.decline_code ?? undefined);
  } catch {
    return new ApiProblem(response.status, response.statusText || `HTTP ${response.status}`, text.slice(0, 200) || undefined, undefined, []);
  }
}

export const api = {
  async get<T>(path: string): Promise<T> {
    return (await (await send('GET', path)).json()) as T;
  },
  async post<T>(path: string, body: unknown = {}): Promise<T> {
    const response = await send('POST', path, body);
    return (response.status === 204 ? undefined : await response.json()) as T;
  },
  /** A GET that answers 404 when the feature is not deployed yet: undefined instead of an error. */
  async optional<T>(path: string): Promise<T | undefined> {
    try {
      return await api.get<T>(path);
    } catch (error) {
      if (error instanceof ApiProblem && (error.status === 404 || error.status === 405 || error.status === 501)) return undefined;
      throw error;
    }
  },
  async blob(path: string): Promise<Blob> {
    return (await send('GET', path)).blob();
  },
  /** Checks a key before keeping it: any authenticated list answers 200, a wrong key 401. */
  async verify(key: string): Promise<void> {
    await send('GET', '/v1/customers?limit=1', undefined, key);
  },
};
