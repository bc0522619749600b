import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { loadConfig, SERVICE_NAMES } from '../config/abaxus-config';
import { DEFAULT_PORTS } from '../config/default-ports';

// The chart in helm/abaxus, linted and rendered by a real Helm (deploy/helm/helm.sh fetches a static
// binary once into deploy/.tools/). No cluster: we check what Helm would apply.

const ROOT = join(__dirname, '..', '..', '..', '..');
const HELM_SH = join(ROOT, 'deploy', 'helm', 'helm.sh');

// Values key, component (app folder) and the Secret keys each process reads: DATABASE_URL, plus the
// API keys for the gateway, the Stripe and SMTP secrets (optional) for invoicing and the webhook
// secret key (optional) for notifications, nothing else.
const APPS = [
  { key: 'gateway', component: 'api-gateway', secrets: ['ABAXUS_API_KEYS'], optionalSecrets: [] },
  { key: 'catalog', component: 'catalog', secrets: [], optionalSecrets: [] },
  { key: 'ingestion', component: 'ingestion', secrets: [], optionalSecrets: [] },
  { key: 'aggregation', component: 'aggregation', secrets: [], optionalSecrets: [] },
  { key: 'pricing', component: 'pricing', secrets: [], optionalSecrets: [] },
  { key: 'invoicing', component: 'invoicing', secrets: [], optionalSecrets: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'SMTP_URL'] },
  { key: 'notifications', component: 'notifications', secrets: [], optionalSecrets: ['ABAXUS_WEBHOOK_SECRET_KEY'] },
].map((app) => ({ ...app, port: DEFAULT_PORTS[app.component as keyof typeof DEFAULT_PORTS] }));

const REQUIRED_VALUES = {
  kafka: { brokers: 'kafka-0.kafka:9092,kafka-1.kafka:9092' },
  database: { url: 'postgres://abaxus:s3cret@postgres.db.svc:5432/abaxus' },
  auth: { apiKeys: ['sk_live_0123456789abcdef', 'sk_live_fedcba9876543210'] },
};

interface HelmResult {
  code: number;
  output: string;
  stdout: string;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args: string[];
  ports: Array<{ name: string; containerPort: number }>;
  env: EnvVar[];
  envFrom: Array<{ configMapRef?: { name: string } }>;
  startupProbe: Probe;
  livenessProbe: Probe;
  readinessProbe: Probe;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: Record<string, unknown>;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> } & Record<string, string>;
    template?: { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; securityContext: Record<string, unknown> } };
    ports?: Array<{ name: string; port: number; targetPort: string | number }>;
    type?: string;
    rules?: Array<{ host: string; http: { paths: Array<{ path: string; backend: { service: { name: string; port: { name: string } } } }> } }>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function helm(args: string[]): Promise<HelmResult> {
  return new Promise((resolve) => {
    execFile('bash', [HELM_SH, ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, output: `${stdout}\n${stderr}` });
    });
  });
}

describe('Helm chart helm/abaxus', () => {
  let dir: string;
  const valuesFile = (name: string, values: unknown): string => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, stringify(values));
    return path;
  };
  /** `helm.sh template` renders release "abaxus"; another release name goes through `helm.sh helm template`. */
  const render = async (values: unknown, release?: string): Promise<Manifest[]> => {
    const file = valuesFile(`render-${release ?? 'default'}`, values);
    const result = await helm(release ? ['helm', 'template', release, join(ROOT, 'helm', 'abaxus'), '-f', file] : ['template', '-f', file]);
    expect(result.output).not.toContain('Error');
    expect(result.code).toBe(0);
    return parseAllDocuments(result.stdout)
      .map((document) => document.toJS() as Manifest | null)
      .filter((manifest): manifest is Manifest => manifest !== null);
  };
  const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'abaxus-helm-'));
    const fetched = await helm(['path']);
    if (fetched.code !== 0) throw new Error(`deploy/helm/helm.sh path failed:\n${fetched.output}`);
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lints clean (--strict) with the required values', async () => {
    const result = await helm(['lint', '--strict', '-f', valuesFile('required', REQUIRED_VALUES)]);
    expect(result.output).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it('fails lint without the external Kafka and PostgreSQL addresses and the API keys, naming each', async () => {
    const result = await helm(['lint']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('/kafka/brokers');
    expect(result.output).toContain('/database/url');
    expect(result.output).toContain('/auth/apiKeys');
  });

  it.each([
    ['a broker without a port', { ...REQUIRED_VALUES, kafka: { brokers: 'kafka-0.kafka' } }, '/kafka/brokers'],
    ['a MySQL database URL', { ...REQUIRED_VALUES, database: { url: 'mysql://u:p@db:3306/abaxus' } }, '/database/url'],
    ['an API key shorter than 16 characters', { ...REQUIRED_VALUES, auth: { apiKeys: ['short-key'] } }, '/auth/apiKeys/0'],
    ['an API key with a comma', { ...REQUIRED_VALUES, auth: { apiKeys: ['sk_live_0123456789,abcdef'] } }, '/auth/apiKeys/0'],
    ['an unknown log level', { ...REQUIRED_VALUES, logLevel: 'loud' }, '/logLevel'],
    ['negative replicas', { ...REQUIRED_VALUES, apps: { catalog: { replicas: -1 } } }, '/apps/catalog/replicas'],
    ['a misspelt key', { ...REQUIRED_VALUES, kafka: { ...REQUIRED_VALUES.kafka, broker: 'kafka:9092' } }, '/kafka'],
    ['an invalid topic prefix', { ...REQUIRED_VALUES, kafka: { ...REQUIRED_VALUES.kafka, topicPrefix: 'billing/prod' } }, '/kafka/topicPrefix'],
    ['a database URL next to existingSecret', { ...REQUIRED_VALUES, existingSecret: 'my-secret' }, '/database/url'],
  ])('rejects %s at lint', async (_name, values, path) => {
    const result = await helm(['lint', '-f', valuesFile('invalid', values)]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`at '${path}'`);
  });

  it('renders a Deployment and a Service per process, wired to one ConfigMap and one Secret', async () => {
    const manifests = await render(
      {
        ...REQUIRED_VALUES,
        apps: { catalog: { replicas: 3 } },
        stripe: { secretKey: 'sk_test_stripe', apiUrl: 'http://stripe.test' },
        mail: { from: 'bills@acme.test' },
      },
      'billing',
    );
    const deployments = ofKind(manifests, 'Deployment');
    const services = ofKind(manifests, 'Service');
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual(APPS.map((app) => `billing-abaxus-${app.component}`).sort());
    expect(services.map((service) => service.metadata.name).sort()).toEqual(APPS.map((app) => `billing-abaxus-${app.component}`).sort());
    const [configMap] = ofKind(manifests, 'ConfigMap');
    const [secret] = ofKind(manifests, 'Secret');
    expect(ofKind(manifests, 'ConfigMap')).toHaveLength(1);
    expect(ofKind(manifests, 'Secret')).toHaveLength(1);
    expect(ofKind(manifests, 'Ingress')).toHaveLength(0);
    expect(secret.stringData).toEqual({
      ABAXUS_API_KEYS: 'sk_live_0123456789abcdef,sk_live_fedcba9876543210',
      DATABASE_URL: REQUIRED_VALUES.database.url,
      STRIPE_SECRET_KEY: 'sk_test_stripe',
    });
    expect(configMap.data).toMatchObject({ KAFKA_BROKERS: REQUIRED_VALUES.kafka.brokers, ABAXUS_LOG_LEVEL: 'log' });
    for (const key of Object.keys(configMap.data ?? {})) expect(key).not.toMatch(/SECRET|DATABASE_URL|API_KEYS|SMTP_|MAIL_|STRIPE_/);

    for (const app of APPS) {
      const deployment = deployments.find((candidate) => candidate.metadata.name === `billing-abaxus-${app.component}`)!;
      const service = services.find((candidate) => candidate.metadata.name === `billing-abaxus-${app.component}`)!;
      const pod = deployment.spec!.template!;
      const [container] = pod.spec.containers;
      expect(deployment.spec!.replicas).toBe(app.key === 'catalog' ? 3 : 1);
      expect(container.image).toBe('abaxus:0.1.0');
      expect(container.args).toEqual([`dist/apps/${app.component}/src/main.js`]);
      expect(container.ports).toEqual([{ name: 'http', containerPort: app.port, protocol: 'TCP' }]);
      expect(container.env.find((env) => env.name === 'PORT')?.value).toBe(String(app.port));
      expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
      // Only the secrets this process uses, each from the chart's Secret.
      const secretRefs = container.env.filter((env) => env.valueFrom?.secretKeyRef).map((env) => [env.name, env.valueFrom!.secretKeyRef]);
      expect(secretRefs).toEqual([
        ['DATABASE_URL', { name: secret.metadata.name, key: 'DATABASE_URL' }],
        ...app.secrets.map((key) => [key, { name: secret.metadata.name, key }]),
        ...app.optionalSecrets.map((key) => [key, { name: secret.metadata.name, key, optional: true }]),
      ]);
      const plain = Object.fromEntries(container.env.filter((env) => env.value !== undefined).map((env) => [env.name, env.value]));
      expect(plain).toEqual(
        app.key === 'invoicing' ? { PORT: String(app.port), MAIL_FROM: 'bills@acme.test', STRIPE_API_URL: 'http://stripe.test' } : { PORT: String(app.port) },
      );
      expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(container.resources.requests).toEqual({ cpu: '100m', memory: '192Mi' });
      expect(container.resources.limits).toEqual({ memory: '512Mi' });
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
      // The Service selects exactly this Deployment's pods and exposes its port.
      expect(service.spec!.type).toBe('ClusterIP');
      expect(service.spec!.ports).toEqual([{ name: 'http', port: app.port, targetPort: 'http', protocol: 'TCP' }]);
      expect(pod.metadata.labels).toMatchObject(service.spec!.selector as Record<string, string>);
      expect(deployment.spec!.selector!.matchLabels).toEqual(service.spec!.selector);

      // What the process would see at start-up passes the engine's own configuration check.
      const env: Record<string, string> = { ...configMap.data };
      for (const variable of container.env) {
        if (variable.value !== undefined) env[variable.name] = variable.value;
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref && secret.stringData?.[ref.key] !== undefined) env[variable.name] = secret.stringData[ref.key];
      }
      const config = loadConfig({ HOST: '0.0.0.0', ...env });
      expect(config.port).toBe(app.port);
      expect(config.kafkaBrokers).toEqual(['kafka-0.kafka:9092', 'kafka-1.kafka:9092']);
      expect(config.databaseUrl).toBe(REQUIRED_VALUES.database.url);
      expect(config.apiKeys).toHaveLength(app.key === 'gateway' ? 2 : 0);
      expect(config.stripeSecretKey).toBe(app.key === 'invoicing' ? 'sk_test_stripe' : undefined);
    }

    // `helm test` asks the gateway's Service on the gateway's port.
    const [testPod] = ofKind(manifests, 'Pod');
    expect(JSON.stringify(testPod)).toContain(`http://billing-abaxus-api-gateway:${DEFAULT_PORTS['api-gateway']}/health/ready`);

    // Every *_URL points at the Service of that process, on its port.
    const urls = loadConfig({ HOST: '127.0.0.1', ...configMap.data }).serviceUrls;
    expect(Object.keys(urls).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const name of SERVICE_NAMES) {
      const app = APPS.find((candidate) => candidate.component === name)!;
      expect(urls[name]).toBe(`http://billing-abaxus-${name}:${app.port}`);
      expect(services.some((service) => service.metadata.name === `billing-abaxus-${name}` && service.spec!.ports![0].port === app.port)).toBe(true);
    }
  });

  it('with existingSecret renders no Secret and points every process at the given one', async () => {
    const manifests = await render({ kafka: REQUIRED_VALUES.kafka, existingSecret: 'abaxus-prod-secrets' });
    expect(ofKind(manifests, 'Secret')).toHaveLength(0);
    for (const deployment of ofKind(manifests, 'Deployment')) {
      const [container] = deployment.spec!.template!.spec.containers;
      const refs = container.env.filter((env) => env.valueFrom?.secretKeyRef).map((env) => env.valueFrom!.secretKeyRef!.name);
      expect(refs.length).toBeGreaterThan(0);
      expect(new Set(refs)).toEqual(new Set(['abaxus-prod-secrets']));
    }
  });

  it('renders an Ingress to the gateway only when enabled', async () => {
    const manifests = await render({
      ...REQUIRED_VALUES,
      ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'billing.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }] },
    });
    const [ingress] = ofKind(manifests, 'Ingress');
    expect(ingress.spec!.rules).toEqual([
      {
        host: 'billing.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'abaxus-api-gateway', port: { name: 'http' } } } }] },
      },
    ]);
  });
});
