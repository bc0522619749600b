import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { WebhookDestinationPolicy } from './webhook-destinations';
import { StandardWebhookHeaders } from './webhook-signature';

export interface SendResult {
  /** The answer's status; null when none came (timeout, refused or dropped connection). */
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Longest error text kept in the delivery log. */
const MAX_ERROR_LENGTH = 500;

/**
 * Posts one signed delivery. Everything is bounded by the timeout (connecting, the answer's
 * headers, its body, and the whole request through an abort signal), redirects are not followed,
 * and the answer's body is thrown away: a 2xx status is all a receiver owes us. Every address it
 * connects to passes the destination policy first (no posting into the engine's own network).
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    readonly timeoutMs: number,
    private readonly destinations: WebhookDestinationPolicy,
  ) {
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 8, connect: { timeout: timeoutMs, lookup: destinations.lookup } });
  }

  async send(url: string, headers: StandardWebhookHeaders, body: string, stop: AbortSignal): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // A literal IP address is connected to without a lookup, so it is checked here.
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const refusal = isIP(host) === 0 ? undefined : this.destinations.refusal(host);
    if (refusal) return { status: null, error: `not sent: ${refusal}`, durationMs: 0 };
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'ABAXUS-Webhooks/1' },
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), stop]),
      });
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return { status: response.statusCode, error: ok ? null : `the endpoint answered ${response.statusCode}`, durationMs: elapsed() };
    } catch (error) {
      return { status: null, error: describe(error, this.timeoutMs, stop), durationMs: elapsed() };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function describe(error: unknown, timeoutMs: number, stop: AbortSignal): string {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  if (stop.aborted) return 'the sender stopped before an answer came';
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  const text = `${code ? `${code}: ` : ''}${message ?? String(error)}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
