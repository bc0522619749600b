import { randomBytes } from 'node:crypto';
import { loadConfig, ServiceName } from '@abaxus/platform/config/abaxus-config';
import { jsonRequest } from '@abaxus/platform/testing/json-request';
import { boundedTeardown } from '@abaxus/platform/testing/bounded-teardown';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { RunningEngine, startEngine } from '@abaxus/engine-runtime/embedded-engine';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestEngine {
  url: string;
  databaseUrl: string;
  topicPrefix: string;
  /** Base URL of one service, for its internal endpoints (never routed by the gateway). */
  serviceUrl(name: ServiceName): string;
  /** What a direct call to a service port must carry (the engine's internal credential). */
  serviceHeaders(): Record<string, string>;
  /** JSON in, JSON out, through the gateway over real HTTP. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

export interface TestEngineOptions {
  /** `kafka` uses the real broker at KAFKA_BROKERS; `embedded` the PostgreSQL bus. */
  bus?: 'kafka' | 'embedded';
  apiKeys?: string[];
  env?: Record<string, string>;
}

/** The whole engine on a fresh database, with its own topic prefix on the shared test broker. */
export async function startTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const bus = options.bus ?? 'kafka';
  if (bus === 'kafka' && !process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test`, which starts a broker.');
  const database: TestDatabase = await createTestDatabase();
  const topicPrefix = `t${randomBytes(4).toString('hex')}.`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    ABAXUS_TOPIC_PREFIX: topicPrefix,
    ABAXUS_DB_POOL_SIZE: '4',
    // Test receivers listen on loopback.
    ABAXUS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
    ...(bus === 'kafka' ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS } : {}),
    ...(options.apiKeys ? { ABAXUS_API_KEYS: options.apiKeys.join(',') } : {}),
    ...options.env,
  });
  let engine: RunningEngine;
  try {
    engine = await startEngine(config);
  } catch (error) {
    await database.drop();
    throw error;
  }
  const defaultHeaders: Record<string, string> = options.apiKeys?.length ? { authorization: `Bearer ${options.apiKeys[0]}` } : {};
  return {
    url: engine.url,
    databaseUrl: database.url,
    topicPrefix,
    serviceUrl: (name) => engine.directory.urlOf(name),
    serviceHeaders: () => engine.directory.requestHeaders(),
    api: (method, path, body, headers = {}) => jsonRequest(engine.url, method, path, body, { ...defaultHeaders, ...headers }),
    // Each step bounded (see boundedTeardown): the suite is judged by its tests, and the database goes anyway.
    stop: () =>
      boundedTeardown(`test engine at ${engine.url}`, [
        ['the engine', () => engine.stop()],
        ['its database', () => database.drop()],
      ]),
  };
}
