import { Webhook } from 'standardwebhooks';
import { EndpointSecretVault, generateEndpointSecret, signingKeyOf } from '../endpoints/endpoint-secrets';
import { signWebhook } from './webhook-signature';

describe('Standard Webhooks signatures', () => {
  it('verify with the reference implementation (standardwebhooks), and fail on any change', () => {
    const secret = generateEndpointSecret();
    const body = JSON.stringify({ type: 'invoice.paid', timestamp: '2026-03-17T14:00:00.000Z', data: { invoice_id: 'inv_1', total_amount: '47.50' } });
    const headers = signWebhook('evt_123', new Date(), body, signingKeyOf(secret));
    const reference = new Webhook(secret);
    expect(reference.verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => reference.verify(`${body} `, { ...headers })).toThrow('No matching signature found');
    expect(() => reference.verify(body, { ...headers, 'webhook-id': 'evt_124' })).toThrow('No matching signature found');
    expect(() => new Webhook(generateEndpointSecret()).verify(body, { ...headers })).toThrow('No matching signature found');
  });

  it('matches the specification’s published example', () => {
    // From the Standard Webhooks specification (and its libraries' tests).
    const key = signingKeyOf('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const headers = signWebhook('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}', key);
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(headers['webhook-timestamp']).toBe('1614265330');
  });
});

describe('endpoint secrets at rest', () => {
  const key = Buffer.alloc(32, 7);

  it('are new each time, "whsec_" and 32 random bytes', () => {
    const a = generateEndpointSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(signingKeyOf(a)).toHaveLength(32);
    expect(generateEndpointSecret()).not.toBe(a);
  });

  it('are encrypted with the configured key (never stored readable) and open again with it only', () => {
    const secret = generateEndpointSecret();
    const vault = new EndpointSecretVault(key);
    const sealed = vault.seal(secret);
    expect(sealed).toMatch(/^aes256gcm:[0-9a-f]{12}:/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(vault.seal(secret)).not.toBe(sealed);
    expect(vault.open(sealed)).toBe(secret);
    expect(() => new EndpointSecretVault(Buffer.alloc(32, 8)).open(sealed)).toThrow('another ABAXUS_WEBHOOK_SECRET_KEY');
    expect(() => new EndpointSecretVault(undefined).open(sealed)).toThrow('ABAXUS_WEBHOOK_SECRET_KEY is not set');
    const tampered = sealed.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    expect(() => vault.open(tampered)).toThrow();
  });

  it('are kept as they are without a key, and stay readable once a key is set', () => {
    const secret = generateEndpointSecret();
    const sealed = new EndpointSecretVault(undefined).seal(secret);
    expect(sealed).toBe(`plain:${secret}`);
    expect(new EndpointSecretVault(key).open(sealed)).toBe(secret);
  });
});
