import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Keys from ABAXUS_API_KEYS, kept only as SHA-256 digests and compared in constant time
 * (digests have one length, so the comparison leaks neither content nor length).
 */
export class ApiKeyAuthenticator {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }

  get open(): boolean {
    return this.digests.length === 0;
  }

  /** The matching key's digest prefix (an id for scoping, never the key), or undefined. */
  authenticate(authorization: string | undefined): string | undefined {
    if (this.open) return 'open';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]);
    let found: Buffer | undefined;
    for (const candidate of this.digests) if (timingSafeEqual(candidate, presented)) found = candidate;
    return found ? found.subarray(0, 8).toString('hex') : undefined;
  }
}
