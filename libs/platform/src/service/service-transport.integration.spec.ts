import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import express from 'express';
import { ProblemException } from '../http/problem.exception';
import { ServiceDirectory } from './service-directory';
import { sendToService } from './service-transport';

/** An express app like a service's: reads its JSON body, answers JSON, bytes, and its headers. */
function serviceApp() {
  const app = express();
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.status(201).setHeader('x-seen-credential', String(req.headers['x-internal']));
    res.json({ got: req.body, path: req.path, query: req.query.q });
  });
  app.get('/document', (_req, res) => {
    res.type('application/pdf').send(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]));
  });
  return app;
}

describe('sendToService', () => {
  const app = serviceApp();
  const server = app.listen(0, '127.0.0.1');
  let url: string;

  beforeAll(async () => {
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const call = (directory: ServiceDirectory, path: string, method = 'GET', body?: string) =>
    sendToService(directory, 'catalog', {
      method,
      path,
      headers: { 'x-internal': 'secret', ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
      timeoutMs: 5_000,
    });

  it('answers the same in this process as over HTTP: status, headers, JSON and bytes', async () => {
    const inProcess = new ServiceDirectory();
    inProcess.registerInProcess('catalog', url, app);
    const overHttp = new ServiceDirectory({ catalog: url });
    for (const directory of [inProcess, overHttp]) {
      const echoed = await call(directory, '/echo?q=%C3%A9', 'POST', JSON.stringify({ amount: '0.10' }));
      expect(echoed.status).toBe(201);
      expect(echoed.headers['x-seen-credential']).toBe('secret');
      expect(JSON.parse(echoed.body.toString('utf8'))).toEqual({ got: { amount: '0.10' }, path: '/echo', query: 'é' });
      const document = await call(directory, '/document');
      expect(document.headers['content-type']).toBe('application/pdf');
      expect([...document.body]).toEqual([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]);
    }
  });

  it('leaves the same app serving real HTTP requests after in-process calls', async () => {
    const inProcess = new ServiceDirectory();
    inProcess.registerInProcess('catalog', url, app);
    await call(inProcess, '/echo', 'POST', '{}');
    const real = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-internal': 'real' }, body: '{"a":1}' });
    expect(real.status).toBe(201);
    expect(real.headers.get('x-seen-credential')).toBe('real');
    expect(await real.json()).toEqual({ got: { a: 1 }, path: '/echo' });
  });

  it('answers 503 service_unavailable when a service over HTTP cannot be reached', async () => {
    const nowhere = new ServiceDirectory({ catalog: 'http://127.0.0.1:9' });
    const refused = await call(nowhere, '/echo').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemException);
    expect((refused as ProblemException).getStatus()).toBe(503);
    expect((refused as ProblemException).problem.code).toBe('service_unavailable');
  });
});
