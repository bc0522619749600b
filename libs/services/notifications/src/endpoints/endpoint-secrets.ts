import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets: "whsec_" and the base64 of the key bytes the receiver verifies with. */
const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new endpoint secret, shown once to whoever created the endpoint. */
export function generateEndpointSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key of a secret (the bytes behind its base64). */
export function signingKeyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/**
 * How endpoint secrets are kept at rest. The sender needs the secret itself (an HMAC cannot be
 * computed from a hash of its key), so with ABAXUS_WEBHOOK_SECRET_KEY set they are encrypted with
 * AES-256-GCM under that key ("aes256gcm:<key id>:<iv>:<tag>:<ciphertext>", base64 parts; the key
 * id, a digest prefix of the key, tells which key sealed a row); without it they are stored as
 * they are ("plain:<secret>"), which the service warns about at start-up. Rows sealed either way
 * stay readable after the key is set.
 */
export class EndpointSecretVault {
  private readonly keyId: string | undefined;

  constructor(private readonly key: Buffer | undefined) {
    this.keyId = key ? createHash('sha256').update(key).digest('hex').slice(0, 12) : undefined;
  }

  get encrypts(): boolean {
    return this.key !== undefined;
  }

  seal(secret: string): string {
    if (!this.key) return `plain:${secret}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return ['aes256gcm', this.keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  /** The secret; throws (without the secret in the message) when the row cannot be opened with this key. */
  open(sealed: string): string {
    if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
    const [scheme, keyId, iv, tag, ciphertext] = sealed.split(':');
    if (scheme !== 'aes256gcm' || ciphertext === undefined) throw new Error('the endpoint secret is stored in an unknown format');
    if (!this.key) throw new Error('the endpoint secret is encrypted and ABAXUS_WEBHOOK_SECRET_KEY is not set');
    if (keyId !== this.keyId) throw new Error(`the endpoint secret was encrypted with another ABAXUS_WEBHOOK_SECRET_KEY (key id ${keyId})`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  }
}
