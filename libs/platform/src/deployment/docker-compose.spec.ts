import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, SERVICE_NAMES } from '../config/abaxus-config';
import { DEFAULT_PORTS, ProcessName } from '../config/default-ports';

// No Docker engine in CI: docker-compose.yml and the Dockerfile are checked structurally, and what
// each process would see at start-up goes through the engine's own configuration check.

const ROOT = join(__dirname, '..', '..', '..', '..');
const APPS = Object.keys(DEFAULT_PORTS) as ProcessName[];
/** Secrets beyond DATABASE_URL (which every process needs), and the one process that uses each. */
const SECRET_OWNERS: Record<string, ProcessName> = {
  ABAXUS_API_KEYS: 'api-gateway',
  STRIPE_SECRET_KEY: 'invoicing',
  STRIPE_WEBHOOK_SECRET: 'invoicing',
  SMTP_URL: 'invoicing',
  ABAXUS_WEBHOOK_SECRET_KEY: 'notifications',
};

interface ComposeService {
  image?: string;
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
    expect(config.port).toBe(DEFAULT_PORTS[app]);
    const database = new URL(config.databaseUrl!);
    expect(database.hostname).toBe('postgres');
    const postgresEnv = stringEnv(services.postgres.environment);
    expect([database.username, database.password, database.pathname]).toEqual([
      postgresEnv.POSTGRES_USER,
      postgresEnv.POSTGRES_PASSWORD,
      `/${postgresEnv.POSTGRES_DB}`,
    ]);
    expect(stringEnv(services.kafka.environment).KAFKA_ADVERTISED_LISTENERS).toBe(`PLAINTEXT://${config.kafkaBrokers!.join(',')}`);
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
  const runtime = instructions.slice(instructions.findIndex((line) => / AS runtime$/.test(line)));

  it('builds on node:20-slim in two stages and runs a chosen app as a non-root user', () => {
    expect(dockerfile).toContain('ARG NODE_IMAGE=node:20-slim');
    expect(instructions.filter((line) => line.startsWith('FROM '))).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime']);
    expect(runtime).toContain('USER node');
    expect(runtime).toContain('ENTRYPOINT ["node"]');
    expect(runtime).toContain('CMD ["dist/apps/catalog/src/main.js"]');
    expect(runtime.some((line) => /^RUN npm ci --omit=dev\b/.test(line))).toBe(true);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
  });

  it('ships the healthcheck docker-compose.yml runs, and the build context lets it in', () => {
    expect(runtime).toContain('COPY deploy/docker/healthcheck.js ./healthcheck.js');
    const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const allowed of ['!package.json', '!package-lock.json', '!.swcrc', '!apps', '!libs', '!deploy/docker/healthcheck.js'])
      expect(dockerignore).toContain(allowed);
  });
});
