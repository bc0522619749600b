import { createHmac } from 'node:crypto';

/** The headers of one delivery attempt (Standard Webhooks). */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a payload as the Standard Webhooks specification says: HMAC-SHA256 with the secret's key
 * over "<id>.<unix seconds>.<body>", base64, as "v1,<signature>". The id stays the same on every
 * attempt of a message; the timestamp is the attempt's, so receivers can refuse replays.
 */
export function signWebhook(messageId: string, timestamp: Date, body: string, key: Buffer): StandardWebhookHeaders {
  const seconds = Math.floor(timestamp.getTime() / 1000);
  const signature = createHmac('sha256', key).update(`${messageId}.${seconds}.${body}`, 'utf8').digest('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': String(seconds), 'webhook-signature': `v1,${signature}` };
}
