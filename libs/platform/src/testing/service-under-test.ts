import { DynamicModule } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createMessageBus } from '../bus/create-message-bus';
import { BusSubscription, IncomingMessage as BusMessage, MessageBus } from '../bus/message-bus';
import { loadConfig, ServiceName } from '../config/abaxus-config';
import { ServiceDirectory } from '../service/service-directory';
import { SERVICE_NAME, ServiceRuntime } from '../service/service-runtime';
import { sendToService, ServiceAnswer } from '../service/service-transport';
import { HttpAppOptions, startHttpApp, StartedApp } from '../service/start-service-app';
import { Clock } from '../time/clock';
import { jsonRequest } from './json-request';
import { createTestDatabase, TestDatabase } from './test-database';

/** One request a stubbed service received, with its JSON body parsed (undefined when not JSON). */
export interface StubRequest {
  method: string;
  path: string;
  /** The values of the route's `:name` segments. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
  /** The body's bytes as UTF-8 text, exactly as received. */
  text: string;
}

/** What a stub route answers: a status and a JSON body (or a promise of them, to answer late). */
export type StubReply = { status: number; body?: unknown; headers?: Record<string, string> };
export type StubHandler = (request: StubRequest) => StubReply | Promise<StubReply>;

interface StubRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: StubHandler;
}

/** `'GET /v1/metrics/:key'` → a matcher of the method and the whole path, capturing `key`. */
function parseRoute(route: string, handler: StubHandler): StubRoute {
  const [method, path] = route.split(' ');
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), names, handler };
}

/**
 * A stand-in for another service, over real HTTP: routes are `'METHOD /path'` (no query), where a
 * `:name` segment matches any one segment; an unrouted request answers 404 problem+json. Every
 * request is recorded in `requests`.
 */
export class ServiceStub {
  readonly requests: StubRequest[] = [];
  private readonly routes = new Map<string, StubRoute>();

  constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ServiceStub> {
    // Requests arrive only after listen(), when `stub` below is set.
    const server = createServer((request, response) => void stub.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const stub = new ServiceStub(server, `http://127.0.0.1:${port}`);
    return stub;
  }

  /** Sets (or replaces) what `'METHOD /path'` answers; an exact path wins over a `:name` pattern. */
  on(route: string, handler: StubHandler | StubReply): this {
    this.routes.set(route, parseRoute(route, typeof handler === 'function' ? handler : () => handler));
    return this;
  }

  /**
   * The requests received that match a route, programmed or not, with its `:name` values in
   * `params`, e.g. `stub.received('GET /v1/metrics/:key')`.
   */
  received(route: string): StubRequest[] {
    const matcher = parseRoute(route, () => ({ status: 500 }));
    return this.requests
      .filter((request) => request.method === matcher.method && matcher.pattern.test(request.path))
      .map((request) => ({ ...request, params: paramsOf(matcher, request.path) }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.url);
    const method = request.method ?? 'GET';
    const route = this.routes.get(`${method} ${url.pathname}`) ?? this.match(method, url.pathname);
    const recorded: StubRequest = {
      method,
      path: url.pathname,
      params: route ? paramsOf(route, url.pathname) : {},
      query: url.searchParams,
      headers: request.headers,
      body: parseJsonOrUndefined(text),
      text,
    };
    this.requests.push(recorded);
    const reply: StubReply = route
      ? await route.handler(recorded)
      : {
          status: 404,
          body: { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found', detail: `stub: no route ${method} ${url.pathname}` },
        };
    const contentType = reply.status >= 400 ? 'application/problem+json' : 'application/json';
    response.writeHead(reply.status, { 'content-type': contentType, ...reply.headers });
    response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  private match(method: string, path: string): StubRoute | undefined {
    for (const route of this.routes.values()) if (route.method === method && route.pattern.test(path)) return route;
    return undefined;
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function paramsOf(route: StubRoute, path: string): Record<string, string> {
  const values = route.pattern.exec(path)!.slice(1);
  return Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(values[index])]));
}

/** What a test consumer received from some topics, in delivery order. */
export interface TopicRecorder {
  messages: BusMessage[];
}

export interface ServiceUnderTest {
  /** Base URL of the service itself (its public and internal routes, no gateway in front). */
  url: string;
  databaseUrl: string;
  bus: MessageBus;
  /** Prefixed to every topic name on the bus (on Kafka, the physical topic is prefix + name). */
  topicPrefix: string;
  /** The other services, stubbed over HTTP; a service not listed is "not configured" (503). */
  stubs: Partial<Record<ServiceName, ServiceStub>>;
  /** JSON in, JSON out, over real HTTP to the service (`text`: the body as received). */
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: T; text: string }>;
  /**
   * The call as the embedded engine's gateway makes it, in this process: through the route's
   * in-process function when the service registered one (see InProcessRoute), else its HTTP stack.
   */
  callInProcess(method: string, path: string, body?: string): Promise<ServiceAnswer>;
  /**
   * A consumer of its own group on `bus`, recording every message of the topics from the first
   * one (the database, and so the log, is the suite's own). Stopped by `stop`.
   */
  listen(...topics: string[]): Promise<TopicRecorder>;
  stop(): Promise<void>;
}

export interface ServiceUnderTestOptions {
  /** The services this one calls, each replaced by a stub the test programs. */
  stub?: ServiceName[];
  /** `embedded` (default): the PostgreSQL bus in the test database; `kafka`: the broker at KAFKA_BROKERS. */
  bus?: 'embedded' | 'kafka';
  /** Extra environment (e.g. STRIPE_API_URL, SMTP_URL, ABAXUS_DB_POOL_SIZE). */
  env?: Record<string, string>;
  /** How the service's HTTP app reads bodies, when it differs from a service's (the gateway's edge). */
  http?: Omit<HttpAppOptions, 'port' | 'host'>;
  /** The service's time (e.g. a TestClock the test moves forward); the system's by default. */
  clock?: Clock;
}

/**
 * The single-service test tier: one service's root module against a fresh real PostgreSQL
 * database and the embedded (PostgreSQL) bus or Kafka, with the services it calls stubbed at the
 * service directory. Nothing of the other services runs.
 */
export async function startServiceUnderTest(
  module: (runtime: ServiceRuntime) => DynamicModule,
  options: ServiceUnderTestOptions = {},
): Promise<ServiceUnderTest> {
  const database: TestDatabase = await createTestDatabase();
  const topicPrefix = `t${randomBytes(4).toString('hex')}.`;
  const stubs: Partial<Record<ServiceName, ServiceStub>> = {};
  let bus: MessageBus | undefined;
  let started: StartedApp | undefined;
  const listeners: BusSubscription[] = [];
  const directory = new ServiceDirectory();
  const stop = async () => {
    for (const listener of listeners.splice(0)) await listener.stop();
    await started?.app.close();
    await bus?.close();
    for (const stub of Object.values(stubs)) await stub.close();
    await database.drop();
  };
  try {
    if (options.bus === 'kafka' && !process.env.KAFKA_BROKERS)
      throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test`, which starts a broker.');
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      ABAXUS_TOPIC_PREFIX: topicPrefix,
      ABAXUS_DB_POOL_SIZE: '4',
      // Test receivers listen on loopback.
      ABAXUS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1',
      ...(options.bus === 'kafka' ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS! } : {}),
      ...options.env,
    });
    for (const name of options.stub ?? []) {
      stubs[name] = await ServiceStub.start();
      directory.register(name, stubs[name]!.url);
    }
    bus = createMessageBus(config, database.url, 'abaxus-service-test');
    started = await startHttpApp(module({ config, databaseUrl: database.url, directory, sharedBus: bus, clock: options.clock }), {
      port: 0,
      host: '127.0.0.1',
      ...options.http,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const url = started.url;
  return {
    url,
    databaseUrl: database.url,
    bus,
    topicPrefix,
    stubs,
    api: (method, path, body, headers) => jsonRequest(url, method, path, body, headers),
    callInProcess: (method, path, body) => {
      const name = started.app.get<ServiceName>(SERVICE_NAME, { strict: false });
      directory.registerInProcess(name, url, started.app.getHttpAdapter().getInstance());
      return sendToService(directory, name, { method, path, headers: { 'content-type': 'application/json' }, body, timeoutMs: 30_000 });
    },
    listen: async (...topics) => {
      const recorder: TopicRecorder = { messages: [] };
      listeners.push(
        await bus!.subscribe({
          groupId: `service-test-listener-${randomBytes(4).toString('hex')}`,
          topics,
          handleBatch: async (messages) => {
            recorder.messages.push(...messages);
          },
        }),
      );
      return recorder;
    },
    stop,
  };
}
