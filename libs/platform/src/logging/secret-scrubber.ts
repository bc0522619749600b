import { AbaxusConfig } from '../config/abaxus-config';

export const REDACTED = '[REDACTED]';

/** user:password@ in any URL (a database or mail server address quoted in an error message). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"'\\]*):[^\s@/"'\\]+@/gi;
const AUTHORIZATION_VALUE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g;
const STRIPE_KEYS = /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{4,}|\bwhsec_[A-Za-z0-9+/=]{4,}/g;
/** Shorter secrets would turn ordinary words into [REDACTED]; the patterns above still cover them in URLs. */
const MIN_SECRET_LENGTH = 4;

/**
 * The last line of defence on every log line, after pino's redaction of known fields: removes
 * the configured secret values wherever they appear (an error message, a stack, a header), and
 * anything shaped like a credential.
 */
export class SecretScrubber {
  private readonly secrets = new Set<string>();

  add(values: Array<string | undefined>): void {
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH) continue;
      this.secrets.add(value);
      // As it reads inside a JSON string (a quote or a backslash in a password is escaped there).
      this.secrets.add(JSON.stringify(value).slice(1, -1));
    }
  }

  scrub(line: string): string {
    let scrubbed = line.replace(URL_CREDENTIALS, `$1:${REDACTED}@`).replace(AUTHORIZATION_VALUE, `$1 ${REDACTED}`).replace(STRIPE_KEYS, REDACTED);
    for (const secret of this.secrets) if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join(REDACTED);
    return scrubbed;
  }
}

/** Every secret value of a configuration: API keys, the internal token, Stripe keys, passwords of the database and mail URLs. */
export function configSecrets(config: AbaxusConfig): string[] {
  return [
    ...config.apiKeys,
    config.internalToken,
    config.stripeSecretKey,
    config.stripeWebhookSecret,
    config.webhookSecretKey,
    config.kafka.sasl?.password,
    ...urlPasswords(config.databaseUrl),
    ...urlPasswords(config.smtpUrl),
  ].filter((value): value is string => value !== undefined && value !== '');
}

function urlPasswords(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const password = new URL(url).password;
    if (!password) return [];
    const decoded = decodeURIComponent(password);
    return decoded === password ? [password] : [password, decoded];
  } catch {
    return [];
  }
}
