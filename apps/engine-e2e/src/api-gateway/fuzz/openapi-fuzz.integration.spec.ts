import fc from 'fast-check';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { FakeStripeServer } from '@abaxus/services/invoicing/testing/fake-stripe-server';
import { SmtpTestServer } from '@abaxus/services/invoicing/testing/smtp-test-server';
import { loadOpenApiDocument } from '@abaxus/services/api-gateway/openapi/openapi-document';
import { deref, firstExample, Json, OperationEntry, operationsOf, parametersOf } from '@abaxus/services/api-gateway/openapi/testing/openapi-checks';

/**
 * Property-based fuzzing of every /v1 operation of docs/openapi.yaml against the whole engine
 * (embedded bus, Stripe-shaped server and SMTP configured, so no answer is "not configured"):
 * bodies grown from the documented examples with hostile values put in, path ids, query strings
 * and headers. Whatever is sent, the engine never answers 5xx, and every refusal is problem+json.
 * Short in CI; ABAXUS_FUZZ_RUNS=20000 for the long form (ABAXUS_FUZZ_SEED replays a run).
 */
const RUNS = Number(process.env.ABAXUS_FUZZ_RUNS ?? '') || 800;
const SEED = Number(process.env.ABAXUS_FUZZ_SEED ?? '') || Date.now() % 2 ** 31;
const CONCURRENCY = 4;
const KEY = 'sk_test_fuzz_key_000000001';

/** Values that broke, or could break, a layer below validation. */
const HOSTILE_STRINGS = [
  '\u0000',
  'cust\u0000',
  '0000-01-01T00:00:00Z',
  '0000-01-01',
  '-0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T00:00:00.123456789Z',
  '2026-01-01T00:00:00+25:00',
  '1970-01-01T00:00:00Z',
  '..',
  '../../internal',
  '%00',
  '%2e%2e',
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  '0x10',
  '99999999999999999999999999999999999999.999999999999999',
  '-99999999999999999999',
  '\ud800',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  "'; DROP TABLE x; --",
  'x'.repeat(5000),
  '',
  ' ',
  '__proto__',
];
/** Timestamps PostgreSQL, Date or the periods' arithmetic may not take. */
const HOSTILE_TIMESTAMPS = HOSTILE_STRINGS.filter((text) => /^-?\d{4,5}-\d\d-\d\d/.test(text));
const HOSTILE_VALUES: unknown[] = [...HOSTILE_STRINGS, -1, 0, 1.5, 1e308, -1e308, 2 ** 53 + 1, true, null, [], {}, [null]];

interface FuzzOperation {
  method: string;
  path: string;
  pathParams: string[];
  query: Array<{ name: string; example?: unknown }>;
  bodyExamples: unknown[];
}

function operationOf(doc: Json, entry: OperationEntry): FuzzOperation {
  const parameters = parametersOf(doc, entry);
  const bodyExamples: unknown[] = [];
  const media = entry.operation.requestBody ? deref(doc, entry.operation.requestBody).content?.['application/json'] : undefined;
  if (media) {
    if ('example' in media) bodyExamples.push(media.example);
    for (const example of Object.values<Json>(media.examples ?? {})) bodyExamples.push(deref(doc, example).value);
  }
  return {
    method: entry.method.toUpperCase(),
    path: entry.path,
    pathParams: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
    query: parameters
      .filter((parameter) => parameter.in === 'query')
      .map((parameter) => ({ name: parameter.name, example: firstExample(doc, parameter).value ?? parameter.schema?.example })),
    bodyExamples,
  };
}

/** A hostile value, or any JSON value; where a timestamp stands, mostly hostile timestamps. */
function hostileFor(current: unknown): fc.Arbitrary<unknown> {
  const general = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
  if (typeof current === 'string' && /^\d{4}-\d\d-\d\d/.test(current))
    return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_TIMESTAMPS) }, { weight: 1, arbitrary: general });
  return general;
}

/** What `plant` would replace at the end of `path`. */
function leafOf(base: unknown, path: number[]): unknown {
  if (base === null || typeof base !== 'object' || path.length === 0) return base;
  const keys = Object.keys(base);
  if (keys.length === 0) return base;
  return leafOf((base as Json)[keys[path[0] % keys.length]], path.slice(1));
}

/** Puts `value` at the end of `path` inside `base`: replacing what is there, or beside it under `extraKey`. */
function plant(base: unknown, path: number[], value: unknown, extraKey: string | undefined): unknown {
  if (base === null || typeof base !== 'object') return value;
  const copy: Json = Array.isArray(base) ? [...base] : { ...(base as object) };
  if (path.length <= 1 && extraKey !== undefined && !Array.isArray(copy)) {
    // defineProperty: an assignment to `__proto__` would set the prototype instead of a key.
    Object.defineProperty(copy, extraKey, { value, enumerable: true, configurable: true, writable: true });
    return copy;
  }
  const keys = Object.keys(copy);
  if (path.length === 0 || keys.length === 0) return value;
  const key = keys[path[0] % keys.length];
  copy[key] = plant(copy[key], path.slice(1), value, extraKey);
  return copy;
}

function bodyArbitrary(operation: FuzzOperation): fc.Arbitrary<string | undefined> {
  if (operation.method === 'GET' || operation.method === 'DELETE') return fc.constant(undefined);
  const bases = operation.bodyExamples.length > 0 ? operation.bodyExamples : [{}];
  const planted = fc
    .record({
      base: fc.constantFrom(...bases),
      path: fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
      extraKey: fc.option(fc.constantFrom('__proto__', 'constructor', 'unknown_field', 'id', 'name', 'customer_id', 'a\u0000b'), { nil: undefined }),
    })
    .chain(({ base, path, extraKey }) => hostileFor(leafOf(base, path)).map((value) => JSON.stringify(plant(base, path, value, extraKey))));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...bases).map((base) => JSON.stringify(base)) },
    { weight: 6, arbitrary: planted },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    // Texts that are not JSON, or JSON spelled unusually (escaped keys, a NUL escape, big numbers).
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{',
        '{"a":}',
        '[]',
        'null',
        '"\\u0000"',
        '{"\\u005f_proto__":{"x":1}}',
        '{"id":12345678901234567890,"name":1e999}',
        '{"events":[{"customer_id":"c","value":"1","timestamp":"0000-01-01T00:00:00Z"}]}',
        '\u0000',
        '',
      ),
    },
  );
}

function pathArbitrary(operation: FuzzOperation, ids: string[]): fc.Arbitrary<string> {
  const segment = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter((value) => value !== '' && !value.includes('\ud800'))).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom('%00', '%2e%2e', '..', '%252e', 'a%2fb', '%zz', '%C0%AE', '%FF') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }).map(encodeURIComponent) },
  );
  return fc.array(segment, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length }).map((values) => {
    let index = 0;
    return operation.path.replace(/\{[^}]+\}/g, () => values[index++]);
  });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function queryArbitrary(operation: FuzzOperation): fc.Arbitrary<string> {
  const names = [...operation.query.map((parameter) => parameter.name), 'starting_after', 'limit', 'unknown'];
  const value = fc.oneof(
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '1',
        'x',
        ...operation.query
          .map((parameter) => parameter.example)
          .filter((example) => example !== undefined)
          .map(String),
      ),
    },
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter((text) => !text.includes('\ud800'))) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30, unit: 'binary' }).filter((text) => !/[\ud800-\udfff]/.test(text)) },
  );
  const encode = (name: string, text: string) => `${encodeURIComponent(name)}=${encodeURIComponent(text.replace(LONE_SURROGATE, '?'))}`;
  // The documented examples together make a query that reaches the service's logic: one of them
  // is replaced (or dropped, or repeated) so that the hostile value arrives with valid neighbours.
  const documented = operation.query.filter((parameter) => parameter.example !== undefined).map((parameter) => [parameter.name, String(parameter.example)]);
  const mutated = fc
    .record({ index: fc.nat(), how: fc.constantFrom('replace', 'replace', 'replace', 'drop', 'repeat', 'add'), name: fc.constantFrom(...names) })
    .chain(({ index, how, name }) => {
      const current = documented.length === 0 ? undefined : documented[index % documented.length][1];
      return fc
        .oneof(
          value,
          hostileFor(current).map((hostile) => (typeof hostile === 'string' ? hostile : JSON.stringify(hostile))),
        )
        .map((text) => ({ index, how, name, text }));
    })
    .map(({ index, how, name, text }) => {
      if (documented.length === 0) return encode(name, text);
      const target = index % documented.length;
      const pairs = documented.flatMap(([key, example], i) => {
        if (i !== target) return [encode(key, example)];
        if (how === 'replace') return [encode(key, text)];
        if (how === 'drop') return [];
        if (how === 'repeat') return [encode(key, example), encode(key, text)];
        return [encode(key, example), encode(name, text)];
      });
      return pairs.join('&');
    });
  const pairs = fc.array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 4 }).map((list) => list.map(([name, text]) => encode(name, text)).join('&'));
  const raw = fc.constantFrom('a=%00', 'limit=%zz', 'customer_id[]=x', 'customer_id[a]=1', '&&=', '=', 'limit=1e400');
  return fc.oneof({ weight: 2, arbitrary: pairs }, { weight: 5, arbitrary: mutated }, { weight: 1, arbitrary: raw });
}

const headersArbitrary = fc.record(
  {
    'idempotency-key': fc.oneof(
      fc.string({ minLength: 1, maxLength: 300 }).filter((text) => /^[\x20-\x7e]+$/.test(text)),
      fc.constant('k'.repeat(256)),
    ),
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
    ),
    'x-request-id': fc.string({ maxLength: 80 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
    accept: fc.constantFrom('application/json', 'application/pdf', '*/*', 'text/html'),
  },
  { requiredKeys: [] },
);

interface Finding {
  request: string;
  status: number;
  contentType: string;
  body: string;
}

describe('OpenAPI fuzz: every operation, hostile input, never a 5xx (embedded bus)', () => {
  let engine: TestEngine;
  let stripe: FakeStripeServer;
  let smtp: SmtpTestServer;
  let operations: FuzzOperation[];
  const ids = new Set<string>(['cust_acme', 'api_calls', 'x']);

  beforeAll(async () => {
    stripe = await new FakeStripeServer().start();
    smtp = await new SmtpTestServer().start();
    engine = await startTestEngine({
      bus: 'embedded',
      apiKeys: [KEY],
      env: {
        STRIPE_SECRET_KEY: stripe.secretKey,
        STRIPE_API_URL: stripe.url,
        STRIPE_WEBHOOK_SECRET: 'whsec_fuzz',
        SMTP_URL: smtp.url,
        STRIPE_TIMEOUT_MS: '1000',
      },
    });
    const loaded = await loadOpenApiDocument();
    if (!loaded.ok) throw new Error(loaded.reason);
    operations = operationsOf(loaded.document)
      .filter((entry) => entry.path.startsWith('/v1/'))
      .map((entry) => operationOf(loaded.document, entry));
    // Real objects for the path ids to find: each create operation's examples, in document order.
    for (const operation of operations.filter((candidate) => candidate.method === 'POST' && candidate.pathParams.length === 0)) {
      for (const example of operation.bodyExamples) {
        const created = await engine.api('POST', operation.path, example);
        for (const value of [created.body?.id, created.body?.key, created.body?.customer_id]) if (typeof value === 'string') ids.add(value);
      }
    }
  });

  afterAll(async () => {
    await engine?.stop();
    await stripe?.stop();
    await smtp?.stop();
  });

  it(
    `answers ${RUNS} generated requests with no 5xx and problem+json for every refusal (seed ${SEED})`,
    async () => {
      const requestArbitrary = fc.constantFrom(...operations).chain((operation) =>
        fc.record({
          method: fc.constant(operation.method),
          path: pathArbitrary(operation, [...ids]),
          query: queryArbitrary(operation),
          body: bodyArbitrary(operation),
          headers: headersArbitrary,
        }),
      );
      const requests = fc.sample(requestArbitrary, { numRuns: RUNS, seed: SEED });
      const findings: Finding[] = [];
      const statuses = new Map<number, number>();
      const resets: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const { method, path, query, body, headers } = requests[next++];
          const url = `${engine.url}${path}${query === '' ? '' : `?${query}`}`;
          const described = `${method} ${path}${query === '' ? '' : `?${query}`} ${JSON.stringify(headers)} ${body?.slice(0, 300)}`;
          const send = async () => {
            const answer = await fetch(url, { method, body, headers: { authorization: `Bearer ${KEY}`, ...headers } });
            return { response: answer, text: await answer.text() };
          };
          let answered: { response: Response; text: string };
          try {
            answered = await send();
          } catch {
            // A pooled keep-alive connection the server closed just as it was reused: counted, and sent once more.
            resets.push(described.slice(0, 200));
            try {
              answered = await send();
            } catch (error) {
              // No answer twice is a finding.
              findings.push({ request: described, status: 0, contentType: '', body: String((error as Error).cause ?? error) });
              continue;
            }
          }
          const { response, text } = answered;
          const contentType = response.headers.get('content-type') ?? '';
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 500 || (response.status >= 400 && !contentType.startsWith('application/problem+json'))) {
            findings.push({ request: described, status: response.status, contentType, body: text.slice(0, 300) });
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
      // The figures a run reports (kept in the log of CI).
      process.stdout.write(
        `openapi fuzz: ${requests.length} requests, seed ${SEED}, 5xx: ${fiveHundreds}, connection resets retried: ${resets.length}, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n${resets.map((request) => `  reset: ${request}\n`).join('')}`,
      );
      expect(findings.slice(0, 20)).toEqual([]);
    },
    60 * 60 * 1000,
  );
});
