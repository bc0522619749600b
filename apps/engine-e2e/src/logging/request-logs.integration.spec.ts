import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { pollUntil } from '@abaxus/platform/testing/poll-until';

/**
 * The engine as an operator runs it, in its own process with JSON logs at debug level and every
 * secret configured: each line it writes is read back. One request id runs from the gateway
 * through the services, their calls and the bus to the consumers; no secret is ever written.
 */
const root = join(__dirname, '..', '..', '..', '..');
const unique = () => randomBytes(6).toString('hex');

const secrets = {
  apiKey: `abx-api-key-${unique()}`,
  stripeSecretKey: `stripe-secret-${unique()}`,
  stripeWebhookSecret: `webhook-secret-${unique()}`,
  smtpPassword: `smtp-pass-${unique()}`,
  databasePassword: `db-pass-${unique()}`,
  // Sent by callers: a session cookie, a Stripe signature, a wrong API key.
  cookie: `cookie-value-${unique()}`,
  stripeSignature: `sig-value-${unique()}`,
  wrongApiKey: `wrong-api-key-${unique()}`,
};

const logTestRole = `abaxus_log_${unique()}`;

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface LogLine {
  level: string;
  time: string;
  service: string;
  requestId?: string;
  requestIds?: string[];
  context?: string;
  msg: string;
  path?: string;
}

interface EngineProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  lines(): LogLine[];
}

function startEngineProcess(databaseUrl: string): Promise<EngineProcess> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    ABAXUS_TOPIC_PREFIX: `t${unique()}.`,
    ABAXUS_API_KEYS: secrets.apiKey,
    STRIPE_SECRET_KEY: secrets.stripeSecretKey,
    STRIPE_WEBHOOK_SECRET: secrets.stripeWebhookSecret,
    SMTP_URL: `smtp://billing:${secrets.smtpPassword}@127.0.0.1:1`,
    ABAXUS_LOG_LEVEL: 'debug',
    ABAXUS_LOG_FORMAT: 'json',
  };
  const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register-typescript.js'), join(root, 'apps', 'engine', 'src', 'main.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const engine = {
    child,
    url: '',
    output: () => output,
    lines: () =>
      output
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as LogLine),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine did not start in 90 s:\n${output}`)), 90000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ABAXUS API ready at (http:\/\/[^\s"]+)\/v1/.exec(output);
      if (match && !engine.url) {
        clearTimeout(timer);
        engine.url = match[1];
        resolve(engine);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code}:\n${output}`));
    });
  });
}

describe('logs of a running engine', () => {
  let database: TestDatabase;
  let engine: EngineProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A role of its own whose password is the secret, so the engine really logs in with it
    // (whether the test server checks passwords or trusts local connections).
    await adminQuery(`CREATE ROLE ${logTestRole} LOGIN SUPERUSER PASSWORD '${secrets.databasePassword}'`);
    const url = new URL(database.url);
    url.username = logTestRole;
    url.password = secrets.databasePassword;
    engine = await startEngineProcess(url.toString());
  }, 120000);

  afterAll(async () => {
    if (engine && engine.child.exitCode === null) {
      const exited = new Promise((resolve) => engine.child.once('exit', resolve));
      engine.child.kill('SIGINT');
      await exited;
    }
    await database?.drop();
    await adminQuery(`DROP ROLE IF EXISTS ${logTestRole}`);
  });

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${engine.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${secrets.apiKey}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const linesOf = (requestId: string) => engine.lines().filter((line) => line.requestId === requestId || line.requestIds?.includes(requestId));

  it('writes every line as one JSON object with level, time, service and message, and no start-up route listing', () => {
    const lines = engine.lines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), service: expect.any(String), msg: expect.any(String) });
    expect(engine.output()).not.toMatch(/Mapped \{|RoutesResolver|RouterExplorer|InstanceLoader|dependencies initialized/);
    expect(lines.find((line) => line.msg.startsWith('ABAXUS API ready at'))).toMatchObject({ level: 'info', service: 'engine' });
  });

  it("carries the caller's request id from the gateway to the owning service, over the outbox and the bus, to the consumers", async () => {
    const requestId = `req-metric-${unique()}`;
    const response = await call('POST', '/v1/metrics', { key: `m_${unique()}`, aggregation_type: 'sum', value_type: 'integer' }, { 'x-request-id': requestId });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await pollUntil(async () => {
      const lines = linesOf(requestId);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ service: 'api-gateway', level: 'info', msg: expect.stringMatching(/^POST \/v1\/metrics 201 \d+ms$/) }),
          expect.objectContaining({ service: 'catalog', level: 'info', msg: expect.stringMatching(/^POST \/v1\/metrics 201 \d+ms$/) }),
          // The catalog's read copies in ingestion and aggregation, fed by the catalog's outbox.
          expect.objectContaining({
            service: 'ingestion',
            level: 'debug',
            msg: expect.stringMatching(/^ingestion-catalog-copy handling \d+ message\(s\) of [\w.]*catalog\.events\[/),
          }),
          expect.objectContaining({
            service: 'aggregation',
            level: 'debug',
            msg: expect.stringMatching(/^aggregation-catalog-copy handling \d+ message\(s\) of [\w.]*catalog\.events\[/),
          }),
        ]),
      );
    });
  });

  it('carries the request id of an accepted usage event to the aggregation consumer, and of a backfill over HTTP to aggregation', async () => {
    const metric = `m_${unique()}`;
    const customer = `cust_${unique()}`;
    expect((await call('POST', '/v1/metrics', { key: metric, aggregation_type: 'sum', value_type: 'integer' })).status).toBe(201);
    expect((await call('POST', '/v1/customers', { id: customer, name: 'Logs Co', email: 'billing@logs.test' })).status).toBe(201);
    const event = () => ({ customer_id: customer, metric_key: metric, value: '1', timestamp: '2026-03-17T14:00:00Z', idempotency_key: `evt_${unique()}` });

    const eventRequest = `req-event-${unique()}`;
    const accepted = await call('POST', '/v1/events', event(), { 'x-request-id': eventRequest });
    expect(accepted.status).toBe(202);
    await pollUntil(async () => {
      expect(linesOf(eventRequest)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ service: 'api-gateway', msg: expect.stringMatching(/^POST \/v1\/events 202 /) }),
          expect.objectContaining({ service: 'ingestion', msg: expect.stringMatching(/^POST \/v1\/events 202 /) }),
          expect.objectContaining({
            service: 'aggregation',
            level: 'debug',
            msg: expect.stringMatching(/^aggregation handling \d+ message\(s\) of [\w.]*usage\.events\[/),
          }),
        ]),
      );
    });

    const backfillRequest = `req-backfill-${unique()}`;
    await call('POST', '/v1/events/backfill', { events: [event()] }, { 'x-request-id': backfillRequest });
    await pollUntil(async () => {
      expect(linesOf(backfillRequest)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ service: 'ingestion', msg: expect.stringMatching(/^POST \/v1\/events\/backfill \d+ /) }),
          expect.objectContaining({ service: 'aggregation', msg: expect.stringMatching(/^POST \/internal\/v1\/events\/backfill \d+ /) }),
        ]),
      );
    });
  });

  it('makes a request id when the caller sends none, or one that is not short and safe, and answers with it', async () => {
    const made = await call('GET', '/v1/metrics');
    const madeId = made.headers.get('x-request-id')!;
    expect(madeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const replaced = await call('GET', '/v1/metrics', undefined, { 'x-request-id': 'not safe {"level":"fatal"}' });
    const replacedId = replaced.headers.get('x-request-id')!;
    expect(replacedId).toMatch(/^[0-9a-f-]{36}$/);
    await pollUntil(async () => {
      for (const id of [madeId, replacedId]) {
        expect(linesOf(id).map((line) => line.service)).toEqual(expect.arrayContaining(['api-gateway', 'catalog']));
      }
    });
    expect(engine.output()).not.toContain('not safe');
  });

  it('never writes a secret: configured keys and passwords, or credentials callers send', async () => {
    const rejected = await call('GET', '/v1/customers', undefined, { authorization: `Bearer ${secrets.wrongApiKey}` });
    expect(rejected.status).toBe(401);
    const withCookie = await call('GET', '/v1/customers', undefined, { cookie: `session=${secrets.cookie}` });
    expect(withCookie.status).toBe(200);
    const webhook = await fetch(`${engine.url}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': `t=1700000000,v1=${secrets.stripeSignature}` },
      body: JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' }),
    });
    expect(webhook.status).toBe(400);
    await pollUntil(async () => expect(engine.lines().some((line) => line.msg.startsWith('POST /v1/webhooks/stripe 400'))).toBe(true));

    // Stopped, so that every line it would write is in.
    const exited = new Promise<number | null>((resolve) => engine.child.once('exit', resolve));
    engine.child.kill('SIGINT');
    expect(await exited).toBe(0);
    const output = engine.output();
    expect(output).toContain('SIGINT received, stopping');
    for (const [name, value] of Object.entries(secrets)) expect({ name, found: output.includes(value) }).toEqual({ name, found: false });
  });
});
