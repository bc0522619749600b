import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeyGrant, ApiKeyScope } from '@abaxus/platform/config/api-key-grants';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Who is calling: an id for scoping idempotency and rate limits (never the key), and what the key may do. */
export interface Caller {
  id: string;
  scope: ApiKeyScope;
  /** The key's own requests per window, when its entry names one. */
  rateLimit: number | undefined;
}

/** Every caller when no key is configured (local mode on loopback). */
export const OPEN_CALLER: Caller = { id: 'open', scope: 'admin', rateLimit: undefined };

/**
 * Keys from ABAXUS_API_KEYS, kept only as SHA-256 digests and compared in constant time
 * (digests have one length, so the comparison leaks neither content nor length).
 */
export class ApiKeyAuthenticator {
  private readonly grants: Array<{ digest: Buffer; caller: Caller }>;

  constructor(grants: ApiKeyGrant[]) {
    this.grants = grants.map((grant) => {
      const keyDigest = digest(grant.key);
      return { digest: keyDigest, caller: { id: keyDigest.subarray(0, 8).toString('hex'), scope: grant.scope, rateLimit: grant.rateLimit } };
    });
  }

  get open(): boolean {
    return this.grants.length === 0;
  }

  /** The matching key's caller, or undefined. */
  authenticate(authorization: string | undefined): Caller | undefined {
    if (this.open) return OPEN_CALLER;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]);
    let found: Caller | undefined;
    for (const candidate of this.grants) if (timingSafeEqual(candidate.digest, presented)) found = candidate.caller;
    return found;
  }
}
