/** What a key may call at the gateway: see PUBLIC_ROUTES in the gateway for each route's scope. */
export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyGrant {
  key: string;
  scope: ApiKeyScope;
  /** Requests per rate-limit window for this key; undefined: ABAXUS_RATE_LIMIT. 0: unlimited. */
  rateLimit: number | undefined;
}

export const API_KEY_MIN_LENGTH = 16;
const LARGEST_RATE_LIMIT = 1_000_000_000;

/**
 * One ABAXUS_API_KEYS entry: `KEY` (admin), `KEY:SCOPE` or `KEY:SCOPE:LIMIT`. Read from the right,
 * so a key that itself holds a colon stays one key unless what follows it is a scope. Problems
 * name the entry by its position, never by its text (it is a secret).
 */
export function parseApiKeyGrant(entry: string, position: number, problems: string[]): ApiKeyGrant | undefined {
  const parts = entry.split(':');
  let grant: ApiKeyGrant = { key: entry, scope: 'admin', rateLimit: undefined };
  const last = parts[parts.length - 1];
  const beforeLast = parts[parts.length - 2];
  if (parts.length >= 3 && /^\d+$/.test(last) && isScope(beforeLast)) {
    const limit = Number(last);
    if (limit > LARGEST_RATE_LIMIT) {
      problems.push(`ABAXUS_API_KEYS: entry ${position}: the rate limit must be at most ${LARGEST_RATE_LIMIT}`);
      return undefined;
    }
    grant = { key: parts.slice(0, -2).join(':'), scope: beforeLast, rateLimit: limit };
  } else if (parts.length >= 2 && isScope(last)) {
    grant = { key: parts.slice(0, -1).join(':'), scope: last, rateLimit: undefined };
  }
  if (grant.key.length < API_KEY_MIN_LENGTH) {
    problems.push(`ABAXUS_API_KEYS: entry ${position}: every key must be at least ${API_KEY_MIN_LENGTH} characters long`);
    return undefined;
  }
  if (!/^[\x21-\x7e]+$/.test(grant.key)) {
    problems.push(`ABAXUS_API_KEYS: entry ${position}: a key is printable ASCII without spaces (it travels in the Authorization header)`);
    return undefined;
  }
  return grant;
}

function isScope(value: string | undefined): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value ?? '');
}

/** Whether a key of this scope may call a route that needs `needed`. */
export function scopeAllows(held: ApiKeyScope, needed: ApiKeyScope): boolean {
  return held === 'admin' || held === needed;
}
