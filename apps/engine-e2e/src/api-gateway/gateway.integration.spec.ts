import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';

describe('gateway (embedded engine over real HTTP)', () => {
  describe('with API keys', () => {
    let engine: TestEngine;
    const key = 'sk_test_gateway_key_0001';

    beforeAll(async () => {
      engine = await startTestEngine({ bus: 'embedded', apiKeys: [key] });
    });

    afterAll(async () => {
      await engine.stop();
    });

    it('answers health without auth: live, and ready with every service checked', async () => {
      expect((await engine.api('GET', '/health/live', undefined, { authorization: '' })).status).toBe(200);
      const ready = await engine.api('GET', '/health/ready', undefined, { authorization: '' });
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({
        database: 'ok',
        bus: 'ok',
        catalog: 'ok',
        ingestion: 'ok',
        aggregation: 'ok',
        pricing: 'ok',
        invoicing: 'ok',
        notifications: 'ok',
      });
    });

    it('serves Prometheus metrics without auth, counting proxied requests by service and status', async () => {
      await engine.api('GET', '/v1/metrics');
      const scrape = await engine.api('GET', '/metrics', undefined, { authorization: '' });
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toContain('text/plain');
      expect(scrape.text).toMatch(/abaxus_http_requests_total\{service="catalog",method="GET",status="200"\} [1-9]/);
      expect(scrape.text).toContain('abaxus_http_request_duration_seconds_bucket');
    });

    it('refuses /v1 without a valid key with a problem+json 401', async () => {
      const missing = await engine.api('GET', '/v1/metrics', undefined, { authorization: '' });
      expect(missing.status).toBe(401);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect(missing.body).toMatchObject({ status: 401, code: 'unauthorized' });
      const wrong = await engine.api('GET', '/v1/metrics', undefined, { authorization: 'Bearer sk_test_gateway_key_0002' });
      expect(wrong.status).toBe(401);
    });

    it('answers an unknown resource with a problem+json 404', async () => {
      const response = await engine.api('GET', '/v1/nothing-here');
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ status: 404, code: 'route_not_found' });
    });

    it('answers an oversized body with 413', async () => {
      const response = await engine.api('POST', '/v1/events/batch', 'x'.repeat(9 * 1024 * 1024));
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ code: 'payload_too_large' });
    });
  });

  describe('without API keys', () => {
    it('runs open (loopback only) and refuses to bind elsewhere', async () => {
      const engine = await startTestEngine({ bus: 'embedded' });
      try {
        expect((await engine.api('GET', '/v1/nothing-here')).status).toBe(404);
        expect(new URL(engine.url).hostname).toBe('127.0.0.1');
      } finally {
        await engine.stop();
      }
    });
  });
});
