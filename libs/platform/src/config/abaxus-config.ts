import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ApiKeyGrant, parseApiKeyGrant } from './api-key-grants';
import { DEFAULT_PORTS } from './default-ports';

/** The services of the engine; the gateway reaches each one over HTTP. */
export const SERVICE_NAMES = ['catalog', 'ingestion', 'aggregation', 'pricing', 'invoicing', 'notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** ABAXUS_LOG_LEVEL: Nest's level names (`log` is pino's `info`, `verbose` its `trace`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
/** ABAXUS_LOG_FORMAT: one JSON object per line, or readable single lines for a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevelName;
  /** Unset: the run mode's default (readable for `npm start`, JSON for a standalone service). */
  format: LogFormat | undefined;
}

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How the Kafka adapter connects and what it creates; ignored without KAFKA_BROKERS. */
export interface KafkaSettings {
  /** TLS to the brokers (KAFKA_SSL=true); the files are PEM, read when the bus connects. */
  ssl: { caFile: string | undefined; certFile: string | undefined; keyFile: string | undefined } | undefined;
  sasl: { mechanism: KafkaSaslMechanism; username: string; password: string } | undefined;
  /** Partitions of the topics the engine creates (ABAXUS_TOPIC_PARTITIONS). */
  topicPartitions: number;
  /** Replication factor of the topics the engine creates; unset = the broker's default. */
  topicReplicationFactor: number | undefined;
  /** false: the topics must exist already (clusters that forbid clients to create topics). */
  createTopics: boolean;
  /** Longest a publish may wait for the brokers' acknowledgement before it fails (then ingestion answers 503). */
  publishTimeoutMs: number;
}

export interface AbaxusConfig {
  port: number;
  host: string;
  /** The keys alone (what logs must never show). */
  apiKeys: string[];
  /** Each key with its scope and rate limit (ABAXUS_API_KEYS entries `KEY[:SCOPE[:LIMIT]]`). */
  apiKeyGrants: ApiKeyGrant[];
  /** What one gateway process admits at once; past either bound it answers 503 with Retry-After. */
  gatewayLimits: GatewayLimits;
  /** Requests per key and window, counted in the gateway's database (shared by every replica). */
  rateLimit: RateLimitSettings;
  /**
   * ABAXUS_INTERNAL_TOKEN: the credential the gateway and the services send to a service port
   * (distributed mode; a standalone service refuses to start without it). The embedded engine
   * ignores it and makes its own per process.
   */
  internalToken: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  kafkaBrokers: string[] | undefined;
  kafka: KafkaSettings;
  /** Prefix for every topic name; lets several deployments (or test suites) share one broker. */
  topicPrefix: string;
  stripeSecretKey: string | undefined;
  stripeApiUrl: string | undefined;
  stripeWebhookSecret: string | undefined;
  /** How long one Stripe request may take before its outcome counts as unknown (retried with the same key). */
  stripeTimeoutMs: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Distributed mode: where the gateway and the services find each other. */
  serviceUrls: Partial<Record<ServiceName, string>>;
  /**
   * ABAXUS_WEBHOOK_SECRET_KEY: 32 bytes (base64 or hex) that encrypt webhook endpoint secrets at
   * rest (AES-256-GCM). Unset: the secrets are stored as they are, and the notifications service
   * says so at start-up.
   */
  webhookSecretKey: string | undefined;
  /** How long one webhook delivery attempt may take (connect, headers and body) before it counts as failed. */
  webhookTimeoutMs: number;
  /** ABAXUS_WEBHOOK_ALLOWED_NETWORKS: non-public networks (CIDRs) webhooks may still be posted to; none by default. */
  webhookAllowedNetworks: string[];
  /** Days a finished webhook delivery (and its attempts) is kept for the delivery log. */
  webhookRetentionDays: number;
  /** How long a strong read waits for the asynchronous pipeline before answering 503. */
  strongReadTimeoutMs: number;
  databasePoolSize: number;
  /**
   * How far V8 lets the heap grow past what survived the last full GC, in percent (0: V8's own
   * sizing, which on a large machine grows the heap to about four times the live data before
   * collecting: measured, the embedded engine's peak went from 376 to 214 MiB at 50 %, same throughput).
   */
  heapGrowthPercent: number;
  log: LogSettings;
  /** Events timestamped in a cycle that arrive this long after its end are still on its invoice. */
  billingGraceSeconds: number;
  /** Days after the first failed automatic charge on which it is retried. */
  dunningDays: number[];
  /** How often each invoicing instance looks for due cycles (0: never on its own). */
  billingRunIntervalMs: number;
  testClocksEnabled: boolean;
}

export interface GatewayLimits {
  /** ABAXUS_MAX_CONCURRENT_REQUESTS: /v1 requests in progress at once. */
  maxConcurrentRequests: number;
  /** ABAXUS_MAX_BODY_BYTES_IN_FLIGHT: request body bytes admitted (declared or read) and not yet answered. */
  maxBodyBytesInFlight: number;
}

export interface RateLimitSettings {
  /** ABAXUS_RATE_LIMIT: requests per window for a key without its own limit; 0 = no limit. */
  requestsPerWindow: number;
  /** ABAXUS_RATE_LIMIT_WINDOW_SECONDS. */
  windowSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
}

function url(env: Env, name: string, protocols: string[], problems: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed = new URL(raw);
    if (!protocols.includes(parsed.protocol)) problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
  } catch {
    problems.push(`${name} is not a valid URL`);
  }
  return raw;
}

function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A comma-separated list of CIDRs (`10.0.0.0/8`) or single addresses. */
function networks(env: Env, name: string, problems: string[]): string[] {
  const items = list(env[name]) ?? [];
  for (const item of items) {
    const [address, prefix, ...rest] = item.split('/');
    const max = isIP(address) === 4 ? 32 : isIP(address) === 6 ? 128 : 0;
    if (max === 0 || rest.length > 0 || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))) {
      problems.push(`${name}: "${item}" is not a network (write 10.0.0.0/8, 192.168.1.20 or fd00::/8)`);
    }
  }
  return items;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], problems: string[]): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return undefined;
  }
  return raw as T;
}

/** The log settings alone (also read before the rest, so that a bad configuration can be logged). */
export function loadLogSettings(env: Env = process.env, problems: string[] = []): LogSettings {
  return { level: oneOf(env, 'ABAXUS_LOG_LEVEL', LOG_LEVELS, problems) ?? 'log', format: oneOf(env, 'ABAXUS_LOG_FORMAT', LOG_FORMATS, problems) };
}

/** "1,3,5": strictly ascending whole days (an empty value: no retries). */
function dunningDays(raw: string | undefined, problems: string[]): number[] {
  if (raw === undefined) return [1, 3, 5];
  const days = list(raw) ?? [];
  if (!days.every((day) => /^\d{1,3}$/.test(day)) || days.some((day, index) => index > 0 && Number(day) <= Number(days[index - 1]))) {
    problems.push(`ABAXUS_DUNNING_DAYS must be ascending whole days such as 1,3,5 (got "${raw}")`);
    return [1, 3, 5];
  }
  return days.map(Number);
}

/** Shortest ABAXUS_INTERNAL_TOKEN accepted: 32 characters (e.g. `openssl rand -hex 32` gives 64). */
export const INTERNAL_TOKEN_MIN_LENGTH = 32;

function internalToken(env: Env, problems: string[]): string | undefined {
  const raw = env.ABAXUS_INTERNAL_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  // Sent as an HTTP header value: printable ASCII without spaces.
  if (raw.length < INTERNAL_TOKEN_MIN_LENGTH || !/^[\x21-\x7e]+$/.test(raw)) {
    problems.push(
      `ABAXUS_INTERNAL_TOKEN must be at least ${INTERNAL_TOKEN_MIN_LENGTH} printable ASCII characters without spaces (got ${raw.length} characters)`,
    );
    return undefined;
  }
  return raw;
}

function bool(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

function readableFile(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    accessSync(raw, constants.R_OK);
  } catch {
    problems.push(`${name}: cannot read "${raw}"`);
  }
  return raw;
}

function kafkaSettings(env: Env, problems: string[]): KafkaSettings {
  const sslOn = bool(env, 'KAFKA_SSL', false, problems);
  const caFile = readableFile(env, 'KAFKA_SSL_CA_FILE', problems);
  const certFile = readableFile(env, 'KAFKA_SSL_CERT_FILE', problems);
  const keyFile = readableFile(env, 'KAFKA_SSL_KEY_FILE', problems);
  if (!sslOn && (caFile || certFile || keyFile)) problems.push('KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE need KAFKA_SSL=true');
  if (Boolean(certFile) !== Boolean(keyFile)) problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (a client certificate and its key)');

  let sasl: KafkaSettings['sasl'];
  const rawMechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase() ?? '';
  const username = env.KAFKA_SASL_USERNAME ?? '';
  const password = env.KAFKA_SASL_PASSWORD ?? '';
  if (rawMechanism !== '') {
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(rawMechanism)) {
      problems.push(`KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')} (got "${env.KAFKA_SASL_MECHANISM}")`);
    } else if (username === '' || password === '') {
      problems.push('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    } else {
      sasl = { mechanism: rawMechanism as KafkaSaslMechanism, username, password };
    }
  } else if (username !== '' || password !== '') {
    problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)');
  }
  const replication = env.ABAXUS_TOPIC_REPLICATION_FACTOR;
  return {
    ssl: sslOn ? { caFile, certFile, keyFile } : undefined,
    sasl,
    topicPartitions: integer(env, 'ABAXUS_TOPIC_PARTITIONS', 4, 1, 10000, problems),
    topicReplicationFactor: replication === undefined || replication === '' ? undefined : integer(env, 'ABAXUS_TOPIC_REPLICATION_FACTOR', 1, 1, 32, problems),
    createTopics: bool(env, 'ABAXUS_KAFKA_CREATE_TOPICS', true, problems),
    publishTimeoutMs: integer(env, 'ABAXUS_KAFKA_PUBLISH_TIMEOUT_MS', 1500, 100, 60000, problems),
  };
}

/** Reads and validates the whole configuration once; a bad value stops the process naming it. */
export function loadConfig(env: Env = process.env): AbaxusConfig {
  const problems: string[] = [];
  const apiKeyGrants = (list(env.ABAXUS_API_KEYS) ?? []).flatMap((entry, index) => parseApiKeyGrant(entry, index + 1, problems) ?? []);
  const apiKeys = apiKeyGrants.map((grant) => grant.key);
  if (new Set(apiKeys).size !== apiKeys.length) problems.push('ABAXUS_API_KEYS: a key is listed twice');
  const kafkaBrokers = list(env.KAFKA_BROKERS);
  for (const broker of kafkaBrokers ?? []) if (!/^[^:\s]+:\d{1,5}$/.test(broker)) problems.push(`KAFKA_BROKERS: "${broker}" is not host:port`);
  const host = env.HOST && env.HOST !== '' ? env.HOST : apiKeys.length === 0 ? '127.0.0.1' : '0.0.0.0';
  const topicPrefix = env.ABAXUS_TOPIC_PREFIX ?? '';
  if (!/^[A-Za-z0-9._-]*$/.test(topicPrefix)) problems.push('ABAXUS_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"');
  const mailFrom = env.MAIL_FROM && env.MAIL_FROM !== '' ? env.MAIL_FROM : 'billing@localhost';
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(mailFrom)) problems.push('MAIL_FROM must be an email address');

  const webhookSecretKey = env.ABAXUS_WEBHOOK_SECRET_KEY || undefined;
  if (webhookSecretKey !== undefined && decodeSecretKey(webhookSecretKey) === undefined) {
    problems.push('ABAXUS_WEBHOOK_SECRET_KEY must be 32 bytes, written as 64 hex digits or 44 base64 characters (e.g. `openssl rand -base64 32`)');
  }

  const serviceUrls: Partial<Record<ServiceName, string>> = {};
  for (const name of SERVICE_NAMES) {
    const value = url(env, `${name.toUpperCase()}_URL`, ['http:', 'https:'], problems);
    if (value) serviceUrls[name] = value.replace(/\/$/, '');
  }

  const config: AbaxusConfig = {
    port: integer(env, 'PORT', DEFAULT_PORTS['api-gateway'], 0, 65535, problems),
    host,
    apiKeys,
    apiKeyGrants,
    gatewayLimits: {
      maxConcurrentRequests: integer(env, 'ABAXUS_MAX_CONCURRENT_REQUESTS', 256, 1, 100000, problems),
      maxBodyBytesInFlight: integer(env, 'ABAXUS_MAX_BODY_BYTES_IN_FLIGHT', 16 * 1024 * 1024, 1024 * 1024, 64 * 1024 * 1024 * 1024, problems),
    },
    rateLimit: {
      requestsPerWindow: integer(env, 'ABAXUS_RATE_LIMIT', 0, 0, 1_000_000_000, problems),
      windowSeconds: integer(env, 'ABAXUS_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86400, problems),
    },
    internalToken: internalToken(env, problems),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems),
    dataDir: resolve(env.ABAXUS_DATA_DIR && env.ABAXUS_DATA_DIR !== '' ? env.ABAXUS_DATA_DIR : './.abaxus'),
    kafkaBrokers,
    kafka: kafkaSettings(env, problems),
    topicPrefix,
    stripeSecretKey: env.STRIPE_SECRET_KEY || undefined,
    stripeApiUrl: url(env, 'STRIPE_API_URL', ['http:', 'https:'], problems),
    stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
    stripeTimeoutMs: integer(env, 'STRIPE_TIMEOUT_MS', 30000, 100, 600000, problems),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:'], problems),
    mailFrom,
    serviceUrls,
    webhookSecretKey,
    webhookTimeoutMs: integer(env, 'ABAXUS_WEBHOOK_TIMEOUT_MS', 10000, 100, 60000, problems),
    webhookAllowedNetworks: networks(env, 'ABAXUS_WEBHOOK_ALLOWED_NETWORKS', problems),
    webhookRetentionDays: integer(env, 'ABAXUS_WEBHOOK_RETENTION_DAYS', 30, 4, 3650, problems),
    strongReadTimeoutMs: integer(env, 'ABAXUS_STRONG_READ_TIMEOUT_MS', 10000, 0, 600000, problems),
    databasePoolSize: integer(env, 'ABAXUS_DB_POOL_SIZE', 8, 1, 200, problems),
    heapGrowthPercent: integer(env, 'ABAXUS_HEAP_GROWTH_PERCENT', 50, 0, 400, problems),
    log: loadLogSettings(env, problems),
    billingGraceSeconds: integer(env, 'ABAXUS_BILLING_GRACE_SECONDS', 3600, 0, 31 * 86400, problems),
    dunningDays: dunningDays(env.ABAXUS_DUNNING_DAYS, problems),
    billingRunIntervalMs: integer(env, 'ABAXUS_BILLING_RUN_INTERVAL_MS', 60000, 0, 86400000, problems),
    testClocksEnabled: (oneOf(env, 'ABAXUS_TEST_CLOCKS', ['on', 'off'] as const, problems) ?? 'on') === 'on',
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * What a process of distributed mode (a service or the gateway run alone) needs beyond the
 * defaults, as the names of the variables that are missing: none when it can start.
 */
export function missingForDistributedMode(config: AbaxusConfig): string[] {
  const missing: string[] = [];
  if (!config.databaseUrl) missing.push('DATABASE_URL');
  if (!config.kafkaBrokers) missing.push('KAFKA_BROKERS');
  if (!config.internalToken) missing.push('ABAXUS_INTERNAL_TOKEN');
  return missing;
}

/** The 32 key bytes of ABAXUS_WEBHOOK_SECRET_KEY (64 hex digits or base64), or undefined when it is not such a key. */
export function decodeSecretKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const key = Buffer.from(text, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

/** The gateway is the only public door: without API keys it may only listen on loopback. */
export function assertGatewayBindAllowed(config: AbaxusConfig): void {
  if (config.apiKeys.length === 0 && !isLoopback(config.host)) {
    throw new ConfigError([`HOST=${config.host} needs ABAXUS_API_KEYS: without API keys the gateway runs open and may only bind to loopback`]);
  }
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
