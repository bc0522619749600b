import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * What the proxy does to one request:
 * - `drop-response`: forwards it, lets the engine act, then closes the client's connection
 *   without an answer (the client cannot know whether it was done);
 * - `answer-503`: answers `503 service_unavailable` itself, without forwarding;
 * - `delay-response`: forwards it and holds the engine's answer for `delayMs`.
 */
export type Fault = { kind: 'drop-response' } | { kind: 'answer-503' } | { kind: 'delay-response'; delayMs: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: string;
  /** What the client got: the engine's status, or the fault. */
  outcome: number | Fault['kind'];
}

/**
 * A tiny HTTP proxy in front of the engine's gateway that records every request and injects the
 * faults it is told to, in order, into the requests that match: the SDK's retries meet real
 * dropped connections, 503s and slow answers.
 */
export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly faults: Array<{ matches: (method: string, path: string) => boolean; fault: Fault }> = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Injects `fault` into the next request `METHOD /path` (path without query), once per call. */
  failNext(route: string, fault: Fault): void {
    const [method, path] = route.split(' ');
    this.faults.push({ matches: (m, p) => m === method && p === path, fault });
  }

  requestsTo(route: string): ProxiedRequest[] {
    const [method, path] = route.split(' ');
    return this.requests.filter((request) => request.method === method && request.path.split('?')[0] === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const index = this.faults.findIndex((candidate) => candidate.matches(method, path.split('?')[0]));
    const fault = index >= 0 ? this.faults.splice(index, 1)[0].fault : undefined;
    const recorded: ProxiedRequest = { method, path, idempotencyKey: header(req, 'idempotency-key'), body, outcome: fault?.kind ?? 0 };
    this.requests.push(recorded);
    if (fault?.kind === 'answer-503') {
      res.writeHead(503, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'https://abaxus.dev/problems/service-unavailable',
          title: 'Service Unavailable',
          status: 503,
          code: 'service_unavailable',
          detail: 'injected by the test proxy',
        }),
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length', 'keep-alive'].includes(name)) headers[name] = value;
    }
    const answer = await fetch(`${this.target}${path}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
    const answerBody = Buffer.from(await answer.arrayBuffer());
    if (fault?.kind === 'drop-response') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay-response') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (!fault) recorded.outcome = answer.status;
    const answerHeaders: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'content-encoding'].includes(name)) answerHeaders[name] = value;
    });
    if (res.destroyed) return;
    res.writeHead(answer.status, answerHeaders);
    res.end(answerBody);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
