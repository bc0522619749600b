import { ApiKeyGrant } from '@abaxus/platform/config/api-key-grants';
import { ApiKeyAuthenticator } from './api-key-authenticator';

describe('ApiKeyAuthenticator', () => {
  const grants: ApiKeyGrant[] = [
    { key: 'sk_test_first_key_0001', scope: 'admin', rateLimit: undefined },
    { key: 'sk_test_second_key_002', scope: 'ingest', rateLimit: 50 },
  ];

  it('accepts each configured key as a Bearer token and names it by digest, not by value, with its scope and limit', () => {
    const auth = new ApiKeyAuthenticator(grants);
    const first = auth.authenticate(`Bearer ${grants[0].key}`);
    const second = auth.authenticate(`bearer ${grants[1].key}`);
    expect(first?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(second?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(first?.id).not.toEqual(second?.id);
    expect(first?.id).not.toContain('sk_test');
    expect([first?.scope, first?.rateLimit, second?.scope, second?.rateLimit]).toEqual(['admin', undefined, 'ingest', 50]);
  });

  it('refuses a missing, malformed or unknown key', () => {
    const auth = new ApiKeyAuthenticator(grants);
    expect(auth.authenticate(undefined)).toBeUndefined();
    expect(auth.authenticate(grants[0].key)).toBeUndefined();
    expect(auth.authenticate('Bearer sk_test_first_key_0002')).toBeUndefined();
    expect(auth.authenticate('Basic abc')).toBeUndefined();
  });

  it('runs open only when no key is configured', () => {
    expect(new ApiKeyAuthenticator([]).open).toBe(true);
    expect(new ApiKeyAuthenticator([]).authenticate(undefined)).toMatchObject({ id: 'open', scope: 'admin' });
    expect(new ApiKeyAuthenticator(grants).open).toBe(false);
  });
});
