import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebhookDestinationPolicy } from './webhook-destinations';
import { WebhookSender } from './webhook-sender';

describe('webhook destinations (SSRF guard)', () => {
  const publicOnly = new WebhookDestinationPolicy([]);

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.5',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
  ])('refuses the non-public address %s', (address) => {
    expect(publicOnly.refusal(address)).toMatch(/is not a public address/);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.4.4'])('lets the public address %s through', (address) => {
    expect(publicOnly.refusal(address)).toBeUndefined();
  });

  it('lets listed networks through and nothing next to them', () => {
    const policy = new WebhookDestinationPolicy(['10.20.0.0/16', '127.0.0.1', 'fd12::/16']);
    expect(policy.refusal('10.20.255.1')).toBeUndefined();
    expect(policy.refusal('127.0.0.1')).toBeUndefined();
    expect(policy.refusal('fd12::9')).toBeUndefined();
    expect(policy.refusal('10.21.0.1')).toBeDefined();
    expect(policy.refusal('127.0.0.2')).toBeDefined();
    expect(policy.refusal('169.254.169.254')).toBeDefined();
  });

  it('judges a URL by its literal address or by every address its name resolves to', async () => {
    expect(await publicOnly.urlRefusal(new URL('http://127.0.0.1:9/hook'))).toMatch(/127\.0\.0\.1 is not a public address/);
    expect(await publicOnly.urlRefusal(new URL('http://[::1]:9/hook'))).toMatch(/::1 is not a public address/);
    expect(await publicOnly.urlRefusal(new URL('http://localhost:9/hook'))).toMatch(/^localhost resolves to/);
    // A name that does not resolve now is accepted: deliveries retry until it does (and are checked then).
    expect(await publicOnly.urlRefusal(new URL('http://no-such-host.invalid/hook'))).toBeUndefined();
  });

  it('refuses at connection time, so a receiver on a non-public address never gets a request', async () => {
    let requests = 0;
    const server: Server = createServer((_request, response) => {
      requests += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const refusing = new WebhookSender(2000, publicOnly);
    const allowing = new WebhookSender(2000, new WebhookDestinationPolicy(['127.0.0.0/8', '::1']));
    const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };
    try {
      const byName = await refusing.send(`http://localhost:${port}/hook`, headers, '{}', new AbortController().signal);
      expect(byName.status).toBeNull();
      expect(byName.error).toMatch(/refused: localhost resolves to .* is not a public address/);
      const byAddress = await refusing.send(`http://127.0.0.1:${port}/hook`, headers, '{}', new AbortController().signal);
      expect(byAddress).toMatchObject({ status: null, error: expect.stringMatching(/^not sent: 127\.0\.0\.1 is not a public address/) });
      expect(requests).toBe(0);

      expect((await allowing.send(`http://localhost:${port}/hook`, headers, '{}', new AbortController().signal)).status).toBe(200);
      expect(requests).toBe(1);
    } finally {
      await Promise.all([refusing.close(), allowing.close()]);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
