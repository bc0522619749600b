import { ApiKeyAuthenticator } from './api-key-authenticator';

describe('ApiKeyAuthenticator', () => {
  const keys = ['sk_test_first_key_0001', 'sk_test_second_key_002'];

  it('accepts each configured key as a Bearer token and names it by digest, not by value', () => {
    const auth = new ApiKeyAuthenticator(keys);
    const first = auth.authenticate(`Bearer ${keys[0]}`);
    const second = auth.authenticate(`bearer ${keys[1]}`);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(second).toMatch(/^[0-9a-f]{16}$/);
    expect(first).not.toEqual(second);
    expect(first).not.toContain('sk_test');
  });

  it('refuses a missing, malformed or unknown key', () => {
    const auth = new ApiKeyAuthenticator(keys);
    expect(auth.authenticate(undefined)).toBeUndefined();
    expect(auth.authenticate(keys[0])).toBeUndefined();
    expect(auth.authenticate('Bearer sk_test_first_key_0002')).toBeUndefined();
    expect(auth.authenticate('Basic abc')).toBeUndefined();
  });

  it('runs open only when no key is configured', () => {
    expect(new ApiKeyAuthenticator([]).open).toBe(true);
    expect(new ApiKeyAuthenticator([]).authenticate(undefined)).toBe('open');
    expect(new ApiKeyAuthenticator(keys).open).toBe(false);
  });
});
