import { assertGatewayBindAllowed, ConfigError, decodeSecretKey, loadConfig, missingForDistributedMode } from './abaxus-config';

describe('loadConfig', () => {
  it('has defaults that make `npm start` work: port 3000, loopback, embedded database and bus', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kafkaBrokers).toBeUndefined();
    expect(config.apiKeys).toEqual([]);
    expect(config.mailFrom).toBe('billing@localhost');
    expect(config.dataDir.endsWith('.abaxus')).toBe(true);
  });

  it('reads lists and URLs', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9093', ABAXUS_API_KEYS: 'sk_live_0123456789abcdef', CATALOG_URL: 'http://catalog:3001/' });
    expect(config.kafkaBrokers).toEqual(['a:9092', 'b:9093']);
    expect(config.host).toBe('0.0.0.0');
    expect(config.serviceUrls.catalog).toBe('http://catalog:3001');
  });

  it('stops on bad values, naming each of them', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', KAFKA_BROKERS: 'nohostport', DATABASE_URL: 'mysql://x', SMTP_URL: 'not a url' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('KAFKA_BROKERS');
    expect(problems).toContain('DATABASE_URL');
    expect(problems).toContain('SMTP_URL');
  });

  it('reads how far the heap may grow past its live data: 50 % by default, 0 for V8’s own sizing, refusing the rest', () => {
    expect(loadConfig({}).heapGrowthPercent).toBe(50);
    expect(loadConfig({ ABAXUS_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(() => loadConfig({ ABAXUS_HEAP_GROWTH_PERCENT: '-5' })).toThrow(/ABAXUS_HEAP_GROWTH_PERCENT/);
    expect(() => loadConfig({ ABAXUS_HEAP_GROWTH_PERCENT: 'half' })).toThrow(/ABAXUS_HEAP_GROWTH_PERCENT/);
  });

  it('reads the log settings: level (default log) and format (default: the run mode decides)', () => {
    expect(loadConfig({}).log).toEqual({ level: 'log', format: undefined });
    expect(loadConfig({ ABAXUS_LOG_LEVEL: 'warn', ABAXUS_LOG_FORMAT: 'json' }).log).toEqual({ level: 'warn', format: 'json' });
    expect(() => loadConfig({ ABAXUS_LOG_LEVEL: 'info' })).toThrow('ABAXUS_LOG_LEVEL must be one of fatal, error, warn, log, debug, verbose (got "info")');
    expect(() => loadConfig({ ABAXUS_LOG_FORMAT: 'xml' })).toThrow('ABAXUS_LOG_FORMAT must be one of json, pretty');
  });

  it('reads the internal token: 32+ printable characters without spaces, never echoed when refused', () => {
    expect(loadConfig({}).internalToken).toBeUndefined();
    const token = 'a'.repeat(31) + '!';
    expect(loadConfig({ ABAXUS_INTERNAL_TOKEN: token }).internalToken).toBe(token);
    for (const bad of ['short_token_0123456789', `${'a'.repeat(32)} b`, `${'a'.repeat(32)}é`]) {
      let error: unknown;
      try {
        loadConfig({ ABAXUS_INTERNAL_TOKEN: bad });
      } catch (caught) {
        error = caught;
      }
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^ABAXUS_INTERNAL_TOKEN must be at least 32 printable ASCII characters/)]);
      expect((error as ConfigError).message).not.toContain(bad);
    }
  });

  it('names what distributed mode lacks: the database, the brokers, the internal token', () => {
    expect(missingForDistributedMode(loadConfig({}))).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'ABAXUS_INTERNAL_TOKEN']);
    const complete = loadConfig({ DATABASE_URL: 'postgres://db/abaxus', KAFKA_BROKERS: 'kafka:9092', ABAXUS_INTERNAL_TOKEN: 'x'.repeat(32) });
    expect(missingForDistributedMode(complete)).toEqual([]);
  });

  it('lets the gateway run without API keys only on loopback', () => {
    expect(() => assertGatewayBindAllowed(loadConfig({ HOST: '0.0.0.0' }))).toThrow('HOST=0.0.0.0 needs ABAXUS_API_KEYS');
    expect(() => assertGatewayBindAllowed(loadConfig({ HOST: '127.0.0.1' }))).not.toThrow();
    expect(() => assertGatewayBindAllowed(loadConfig({ HOST: '0.0.0.0', ABAXUS_API_KEYS: 'sk_live_0123456789abcdef' }))).not.toThrow();
  });

  it('reads the webhook settings: an optional 32-byte secret key (hex or base64) and the delivery timeout', () => {
    expect(loadConfig({})).toMatchObject({ webhookSecretKey: undefined, webhookTimeoutMs: 10000 });
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ ABAXUS_WEBHOOK_SECRET_KEY: hex, ABAXUS_WEBHOOK_TIMEOUT_MS: '2500' })).toMatchObject({ webhookSecretKey: hex, webhookTimeoutMs: 2500 });
    expect(decodeSecretKey(hex)).toEqual(Buffer.alloc(32, 0xab));
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(decodeSecretKey(base64)).toEqual(Buffer.alloc(32, 7));
    expect(() => loadConfig({ ABAXUS_WEBHOOK_SECRET_KEY: 'too-short' })).toThrow('ABAXUS_WEBHOOK_SECRET_KEY must be 32 bytes');
    expect(() => loadConfig({ ABAXUS_WEBHOOK_SECRET_KEY: Buffer.alloc(31).toString('base64') })).toThrow('ABAXUS_WEBHOOK_SECRET_KEY');
    expect(() => loadConfig({ ABAXUS_WEBHOOK_TIMEOUT_MS: '50' })).toThrow('ABAXUS_WEBHOOK_TIMEOUT_MS must be an integer from 100 to 60000');
    expect(loadConfig({})).toMatchObject({ webhookAllowedNetworks: [], webhookRetentionDays: 30 });
    expect(loadConfig({ ABAXUS_WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8, 127.0.0.1,fd00::/8', ABAXUS_WEBHOOK_RETENTION_DAYS: '90' })).toMatchObject({
      webhookAllowedNetworks: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'],
      webhookRetentionDays: 90,
    });
    expect(() => loadConfig({ ABAXUS_WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33' })).toThrow('ABAXUS_WEBHOOK_ALLOWED_NETWORKS: "10.0.0.0/33" is not a network');
    expect(() => loadConfig({ ABAXUS_WEBHOOK_ALLOWED_NETWORKS: 'intranet.local' })).toThrow('is not a network');
    expect(() => loadConfig({ ABAXUS_WEBHOOK_RETENTION_DAYS: '1' })).toThrow('ABAXUS_WEBHOOK_RETENTION_DAYS must be an integer from 4 to 3650');
  });
});

describe('loadConfig: Kafka settings', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return '';
    } catch (error) {
      return (error as ConfigError).problems.join('\n');
    }
  };

  it('defaults to plaintext, 4 partitions, the broker’s replication factor, topic creation and a 1.5 s publish bound', () => {
    expect(loadConfig({}).kafka).toEqual({
      ssl: undefined,
      sasl: undefined,
      topicPartitions: 4,
      topicReplicationFactor: undefined,
      createTopics: true,
      publishTimeoutMs: 1500,
    });
  });

  it('reads TLS files, SASL and topic settings', () => {
    const kafka = loadConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: __filename,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      ABAXUS_TOPIC_PARTITIONS: '12',
      ABAXUS_TOPIC_REPLICATION_FACTOR: '3',
      ABAXUS_KAFKA_CREATE_TOPICS: 'false',
    }).kafka;
    expect(kafka).toMatchObject({
      ssl: { caFile: __filename, certFile: undefined, keyFile: undefined },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      topicPartitions: 12,
      topicReplicationFactor: 3,
      createTopics: false,
    });
  });

  it('stops on inconsistent or bad Kafka settings, naming each', () => {
    const problems = problemsOf({
      KAFKA_SSL: 'yes',
      KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem',
      KAFKA_SSL_CERT_FILE: __filename,
      KAFKA_SASL_MECHANISM: 'gssapi',
      ABAXUS_TOPIC_PARTITIONS: '0',
      ABAXUS_KAFKA_CREATE_TOPICS: 'no',
    });
    for (const name of [
      'KAFKA_SSL must be true or false',
      'KAFKA_SSL_CA_FILE: cannot read',
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together',
      'KAFKA_SASL_MECHANISM must be one of',
      'ABAXUS_TOPIC_PARTITIONS',
      'ABAXUS_KAFKA_CREATE_TOPICS',
    ]) {
      expect(problems).toContain(name);
    }
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toContain(
      'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toContain('need KAFKA_SASL_MECHANISM');
  });
});

describe('ABAXUS_API_KEYS entries, gateway limits and rate limits', () => {
  const KEY = 'sk_live_0123456789abcdef';

  it('reads KEY (admin), KEY:SCOPE and KEY:SCOPE:LIMIT, keeping a colon inside a key', () => {
    const config = loadConfig({ ABAXUS_API_KEYS: `${KEY}, ${KEY}1:ingest, ${KEY}2:read:120, ${KEY}:x:y` });
    expect(config.apiKeyGrants).toEqual([
      { key: KEY, scope: 'admin', rateLimit: undefined },
      { key: `${KEY}1`, scope: 'ingest', rateLimit: undefined },
      { key: `${KEY}2`, scope: 'read', rateLimit: 120 },
      { key: `${KEY}:x:y`, scope: 'admin', rateLimit: undefined },
    ]);
    expect(config.apiKeys).toEqual([KEY, `${KEY}1`, `${KEY}2`, `${KEY}:x:y`]);
  });

  it('refuses short or repeated keys naming the entry by position, never by its text', () => {
    let error: unknown;
    try {
      loadConfig({ ABAXUS_API_KEYS: `${KEY},short_secret:read,${KEY}:admin` });
    } catch (caught) {
      error = caught;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('entry 2: every key must be at least 16 characters long');
    expect(problems).toContain('a key is listed twice');
    expect(problems).not.toContain('short_secret');
    expect(problems).not.toContain(KEY);
  });

  it('has sane defaults for the gateway bounds and the rate limit (off), and validates them', () => {
    const config = loadConfig({});
    expect(config.gatewayLimits).toEqual({ maxConcurrentRequests: 256, maxBodyBytesInFlight: 16 * 1024 * 1024 });
    expect(config.rateLimit).toEqual({ requestsPerWindow: 0, windowSeconds: 60 });
    expect(loadConfig({ ABAXUS_RATE_LIMIT: '600', ABAXUS_RATE_LIMIT_WINDOW_SECONDS: '10' }).rateLimit).toEqual({ requestsPerWindow: 600, windowSeconds: 10 });
    expect(() => loadConfig({ ABAXUS_MAX_CONCURRENT_REQUESTS: '0' })).toThrow('ABAXUS_MAX_CONCURRENT_REQUESTS must be an integer from 1');
    expect(() => loadConfig({ ABAXUS_MAX_BODY_BYTES_IN_FLIGHT: '1000' })).toThrow('ABAXUS_MAX_BODY_BYTES_IN_FLIGHT must be an integer from 1048576');
    expect(() => loadConfig({ ABAXUS_RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow('ABAXUS_RATE_LIMIT_WINDOW_SECONDS');
  });
});
