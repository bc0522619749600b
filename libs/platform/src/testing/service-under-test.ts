import { DynamicModule } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createMessageBus } from '../bus/create-message-bus';
import { MessageBus } from '../bus/message-bus';
import { loadConfig, ServiceName } from '../config/abaxus-config';
import { ServiceDirectory } from '../service/service-directory';
import { ServiceRuntime } from '../service/service-runtime';
import { startHttpApp, StartedApp } from '../service/start-service-app';
import { Clock } from '../time/clock';
import { createTestDatabase, TestDatabase } from './test-database';

/** One request a stubbed service received, with its JSON body parsed. */
export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
}

/** What a stub route answers: a status and a JSON body (or a promise of them, to answer late). */
export type StubReply = { status: number; body?: unknown; headers?: Record<string, string> };
export type StubHandler = (request: StubRequest) => StubReply | Promise<StubReply>;

/**
 * A stand-in for another service, over real HTTP: routes are `'METHOD /path'` (no query); an
 * unrouted request answers 404 problem+json. Every request is recorded in `requests`.
 */
export class ServiceStub {
  readonly requests: StubRequest[] = [];
  private readonly routes = new Map<string, StubHandler>();

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

  /** Sets (or replaces) what `'METHOD /path'` answers. */
  on(route: string, handler: StubHandler | StubReply): this {
    this.routes.set(route, typeof handler === 'function' ? handler : () => handler);
    return this;
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
    const recorded: StubRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(recorded);
    const handler = this.routes.get(`${recorded.method} ${recorded.path}`);
    const reply: StubReply = handler
      ? await handler(recorded)
      : { status: 404, body: { type: 'about:blank', title: 'not_found', status: 404, detail: `stub: no route ${recorded.method} ${recorded.path}` } };
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }
}

export interface ServiceUnderTest {
  /** Base URL of the service itself (its public and internal routes, no gateway in front). */
  url: string;
  databaseUrl: string;
  bus: MessageBus;
  /** The other services, stubbed over HTTP; a service not listed is "not configured" (503). */
  stubs: Partial<Record<ServiceName, ServiceStub>>;
  /** JSON in, JSON out, over real HTTP to the service. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: T }>;
  stop(): Promise<void>;
}

export interface ServiceUnderTestOptions {
  /** The services this one calls, each replaced by a stub the test programs. */
  stub?: ServiceName[];
  /** Extra environment (e.g. STRIPE_API_URL, SMTP_URL, ABAXUS_DB_POOL_SIZE). */
  env?: Record<string, string>;
  /** The service's time (e.g. a TestClock the test moves forward); the system's by default. */
  clock?: Clock;
}

/**
 * The single-service test tier: one service's root module against a fresh real PostgreSQL
 * database and the embedded (PostgreSQL) bus, with the services it calls stubbed at the service
 * directory. Nothing of the other services runs.
 */
export async function startServiceUnderTest(
  module: (runtime: ServiceRuntime) => DynamicModule,
  options: ServiceUnderTestOptions = {},
): Promise<ServiceUnderTest> {
  const database: TestDatabase = await createTestDatabase();
  const stubs: Partial<Record<ServiceName, ServiceStub>> = {};
  let bus: MessageBus | undefined;
  let started: StartedApp | undefined;
  const stop = async () => {
    await started?.app.close();
    await bus?.close();
    for (const stub of Object.values(stubs)) await stub.close();
    await database.drop();
  };
  try {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      ABAXUS_TOPIC_PREFIX: `t${randomBytes(4).toString('hex')}.`,
      ABAXUS_DB_POOL_SIZE: '4',
      ...options.env,
    });
    const directory = new ServiceDirectory();
    for (const name of options.stub ?? []) {
      stubs[name] = await ServiceStub.start();
      directory.register(name, stubs[name]!.url);
    }
    bus = createMessageBus(config, database.url, 'abaxus-service-test');
    started = await startHttpApp(module({ config, databaseUrl: database.url, directory, sharedBus: bus, clock: options.clock }), {
      port: 0,
      host: '127.0.0.1',
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
    stubs,
    api: async (method, path, body, headers = {}) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: response.status, headers: response.headers, body: parsed as never };
    },
    stop,
  };
}
