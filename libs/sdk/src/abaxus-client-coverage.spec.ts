import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Operations an SDK user never calls: the engine's own plumbing and the webhooks it sends (callbacks). */
const NOT_FOR_THE_SDK = new Set([
  'receiveStripeWebhook',
  'getPrometheusMetrics',
  'getHealthLive',
  'getHealthReady',
  'getOpenApiJson',
  'getOpenApiYaml',
  'getRoot',
  'getApiDocs',
  'getConsole',
  'getConsoleFile',
]);

describe('AbaxusClient covers the API', () => {
  it('has a typed method for every operation of docs/openapi.yaml an integrator calls', () => {
    const root = join(__dirname, '../../..');
    const document = parse(readFileSync(join(root, 'docs/openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
    const operations = Object.values(document.paths)
      .flatMap((item) => Object.values(item))
      .map((operation) => operation?.operationId)
      .filter((id): id is string => typeof id === 'string' && !NOT_FOR_THE_SDK.has(id));
    const client = readFileSync(join(__dirname, 'abaxus-client.ts'), 'utf8');
    const called = new Set([...client.matchAll(/this\.(?:request|mutation)\(\s*'([A-Za-z]+)'/g)].map((match) => match[1]));
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.filter((id) => !called.has(id))).toEqual([]);
  });
});
