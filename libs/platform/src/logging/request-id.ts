import { randomUUID } from 'node:crypto';
import { currentRequestId } from './log-context';

/** Carried on HTTP requests and responses, and in the headers of bus messages. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Short and made of characters that are safe in a log line, a header and a URL. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:+=/-]{1,64}$/;

/** The caller's request id when it is a safe one; anything else is replaced, never refused. */
export function acceptRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : undefined;
}

export function newRequestId(): string {
  return randomUUID();
}

/** The request id header for an outgoing call or message, when a request is being handled. */
export function requestIdHeaders(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : {};
}

/** Headers of a message published now: the current request id added unless it carries one. */
export function withRequestIdHeader(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (headers?.[REQUEST_ID_HEADER]) return headers;
  const requestId = currentRequestId();
  return requestId ? { ...headers, [REQUEST_ID_HEADER]: requestId } : headers;
}
