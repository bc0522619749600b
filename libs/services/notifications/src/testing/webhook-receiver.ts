import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got, checked with the reference Standard Webhooks implementation. */
export interface ReceivedWebhook {
  /** The endpoint's path at this receiver (see `path`), without the leading "/". */
  endpoint: string;
  /** `webhook-id`: the event's id, the same on every attempt. */
  id: string;
  timestamp: number;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** standardwebhooks' `sign` gives one of the signatures sent (the timestamp is not judged). */
  signatureValid: boolean;
  /** standardwebhooks' whole `verify` (signature, and a timestamp within 5 minutes of the real time) passed. */
  verified: boolean;
  /** What the receiver answered (null: it never answered). */
  answeredWith: number | null;
  receivedAt: number;
}

/** What to answer a request: a status, optionally after a delay (longer than the sender's timeout = no answer). */
export type ReceiverReply = { status: number; delayMs?: number };

/**
 * A real HTTP webhook receiver for tests: verifies each request's signature independently with
 * the `standardwebhooks` package (the secret is set once the endpoint exists) and answers what the
 * test programs, 200 by default.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private secrets = new Map<string, string>();
  private reply: (request: ReceivedWebhook, attempt: number) => ReceiverReply = () => ({ status: 200 });
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly open = new Map<string, number>();
  private readonly mostOpen = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer((request, response) => void receiver.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return receiver;
  }

  /** The URL of one endpoint at this receiver (each path verifies with its own secret). */
  path(name: string): string {
    return `${this.url}/${name}`;
  }

  useSecret(pathName: string, secret: string): void {
    this.secrets.set(`/${pathName}`, secret);
  }

  /** `attempt` counts the requests with this webhook-id at this endpoint path so far, from 1. */
  answer(reply: (request: ReceivedWebhook, attempt: number) => ReceiverReply): void {
    this.reply = reply;
  }

  /** The most requests to one endpoint path that were open (unanswered) at the same time. */
  mostConcurrent(endpoint: string): number {
    return this.mostOpen.get(endpoint) ?? 0;
  }

  /** The requests to one endpoint path, in arrival order. */
  at(endpoint: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.endpoint === endpoint);
  }

  /** The requests to one endpoint path whose answer was a 2xx, in arrival order. */
  acceptedAt(endpoint: string): ReceivedWebhook[] {
    return this.at(endpoint).filter((request) => request.answeredWith !== null && request.answeredWith < 300);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const pathname = new URL(request.url ?? '/', this.url).pathname;
    const secret = this.secrets.get(pathname);
    const id = headers['webhook-id'] ?? '';
    const timestamp = Number(headers['webhook-timestamp']);
    let signatureValid = false;
    let verified = false;
    if (secret) {
      const reference = new Webhook(secret);
      signatureValid = (headers['webhook-signature'] ?? '').split(' ').includes(reference.sign(id, new Date(timestamp * 1000), body));
      try {
        reference.verify(body, headers);
        verified = true;
      } catch {
        verified = false;
      }
    }
    const received: ReceivedWebhook = {
      endpoint: pathname.slice(1),
      id,
      timestamp,
      body,
      payload: JSON.parse(body),
      signatureValid,
      verified,
      answeredWith: null,
      receivedAt: Date.now(),
    };
    this.received.push(received);
    const openNow = (this.open.get(received.endpoint) ?? 0) + 1;
    this.open.set(received.endpoint, openNow);
    this.mostOpen.set(received.endpoint, Math.max(openNow, this.mostOpen.get(received.endpoint) ?? 0));
    response.once('close', () => this.open.set(received.endpoint, (this.open.get(received.endpoint) ?? 1) - 1));
    const attempt = this.received.filter((other) => other.id === id && other.endpoint === received.endpoint).length;
    const { status, delayMs = 0 } = this.reply(received, attempt);
    const send = () => {
      if (response.destroyed) return;
      received.answeredWith = status;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end('{}');
    };
    if (delayMs === 0) return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, delayMs);
    this.timers.add(timer);
  }
}
