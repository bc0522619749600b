import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Pod, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments, stringify } from 'yaml';
import { loadConfig, missingForDistributedMode, SERVICE_NAMES, ServiceName } from '../config/abaxus-config';
import { DEFAULT_PORTS, ProcessName } from '../config/default-ports';

// The chart in helm/abaxus, linted and rendered by a real Helm (deploy/helm/helm.sh fetches a static
// binary once into deploy/.tools/). No cluster: we check what Helm would apply.

const ROOT = join(__dirname, '..', '..', '..', '..');
const HELM_SH = join(ROOT, 'deploy', 'helm', 'helm.sh');

// Values key, component (app folder) and the Secret keys each process reads: DATABASE_URL and
// ABAXUS_INTERNAL_TOKEN, plus the API keys for the gateway, the Stripe and SMTP secrets (optional)
// for invoicing and the webhook secret key (optional) for notifications, nothing else.
const APPS = [
  { key: 'gateway', component: 'api-gateway', secrets: ['ABAXUS_API_KEYS'], optionalSecrets: ['KAFKA_SASL_PASSWORD'] },
  { key: 'catalog', component: 'catalog', secrets: [], optionalSecrets: ['KAFKA_SASL_PASSWORD'] },
  { key: 'ingestion', component: 'ingestion', secrets: [], optionalSecrets: ['KAFKA_SASL_PASSWORD'] },
  { key: 'aggregation', component: 'aggregation', secrets: [], optionalSecrets: ['KAFKA_SASL_PASSWORD'] },
  { key: 'pricing', component: 'pricing', secrets: [], optionalSecrets: ['KAFKA_SASL_PASSWORD'] },
  { key: 'invoicing', component: 'invoicing', secrets: [], optionalSecrets: ['KAFKA_SASL_PASSWORD', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'SMTP_URL'] },
  { key: 'notifications', component: 'notifications', secrets: [], optionalSecrets: ['KAFKA_SASL_PASSWORD', 'ABAXUS_WEBHOOK_SECRET_KEY'] },
].map((app) => ({ ...app, port: DEFAULT_PORTS[app.component as keyof typeof DEFAULT_PORTS] }));

const AUTOSCALED = ['gateway', 'aggregation'];
const selectorOf = (release: string, component: string) => ({
  'app.kubernetes.io/name': 'abaxus',
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/component': component,
});

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
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string; defaultMode?: number }; emptyDir?: Record<string, never> }>;
  securityContext: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  restartPolicy?: string;
  topologySpreadConstraints?: Array<{
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector: { matchLabels: Record<string, string> };
  }>;
}
type Peer = { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels: Record<string, string> } };
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> } & Record<string, string>;
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    ports?: Array<{ name: string; port: number; targetPort: string | number }>;
    type?: string;
    rules?: Array<{ host: string; http: { paths: Array<{ path: string; backend: { service: { name: string; port: { name: string } } } }> } }>;
    // PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy, ServiceMonitor, Job
    maxUnavailable?: number | string;
    scaleTargetRef?: { apiVersion: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: Array<{ type: string; resource: { name: string; target: { type: string; averageUtilization: number } } }>;
    podSelector?: { matchLabels: Record<string, string> };
    policyTypes?: string[];
    ingress?: Array<{ ports: Array<{ port: string | number; protocol: string }>; from?: Peer[] }>;
    endpoints?: Array<{ port: string; path: string; interval: string }>;
    namespaceSelector?: { matchNames: string[] };
    backoffLimit?: number;
  } & Partial<PodSpec>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

// Every kind the chart renders, checked against the Kubernetes API schemas (kubernetes-models).
// A kind missing here fails the render: add its model. ServiceMonitor is a Prometheus Operator CRD
// (no model in kubernetes-models): its shape is checked by its own test.
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/Pod': Pod,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/** Throws, naming the object and the schema's complaint, unless it is a valid Kubernetes object. */
function validateKubernetesObject(manifest: Manifest): void {
  if (manifest.apiVersion === 'monitoring.coreos.com/v1' && manifest.kind === 'ServiceMonitor') return;
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) throw new Error(`no kubernetes-models model for ${manifest.apiVersion} ${manifest.kind} (${manifest.metadata.name})`);
  try {
    new Model(manifest as never).validate();
  } catch (error) {
    throw new Error(`${manifest.kind} ${manifest.metadata.name} is not a valid Kubernetes object: ${(error as Error).message}`);
  }
}

/** The pod specs of the objects that run containers (Deployments, the Job, the test Pod). */
function podSpecsOf(manifests: Manifest[]): Array<[string, PodSpec]> {
  return manifests.flatMap((manifest): Array<[string, PodSpec]> => {
    if (manifest.kind === 'Pod') return [[`Pod ${manifest.metadata.name}`, manifest.spec as PodSpec]];
    if (manifest.spec?.template) return [[`${manifest.kind} ${manifest.metadata.name}`, manifest.spec.template.spec]];
    return [];
  });
}

/**
 * Which services each process calls over HTTP, read out of the code: `http.call('catalog', …)` /
 * `http.expectOk('pricing', …)` in the service's library and in the files of the shared libraries
 * it imports (followed through their imports). The gateway proxies to every service besides.
 */
function serviceCallsInCode(): Record<ProcessName, Set<ServiceName>> {
  const aliases: Record<string, string> = { '@abaxus/catalog-client/': 'libs/catalog-client/src/', '@abaxus/usage-events/': 'libs/usage-events/src/' };
  const callPattern = /\.(?:call|expectOk)(?:<(?:[^<>]|<[^<>]*>)*>)?\(\s*'([a-z-]+)'/g;
  const importPattern = /from '([^']+)'/g;
  const sourceFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
    });
  const resolveImport = (from: string, specifier: string): string | undefined => {
    const alias = Object.keys(aliases).find((prefix) => specifier.startsWith(prefix));
    const target = alias
      ? join(ROOT, aliases[alias], specifier.slice(alias.length))
      : specifier.startsWith('.')
        ? resolve(dirname(from), specifier)
        : undefined;
    return target && existsSync(`${target}.ts`) ? `${target}.ts` : undefined;
  };
  const calls = {} as Record<ProcessName, Set<ServiceName>>;
  for (const process of Object.keys(DEFAULT_PORTS) as ProcessName[]) {
    const called = new Set<ServiceName>(process === 'api-gateway' ? SERVICE_NAMES : []);
    const queue = sourceFiles(join(ROOT, 'libs', 'services', process, 'src'));
    const seen = new Set(queue);
    while (queue.length > 0) {
      const file = queue.pop()!;
      const source = readFileSync(file, 'utf8');
      for (const [, name] of source.matchAll(callPattern)) if ((SERVICE_NAMES as readonly string[]).includes(name)) called.add(name as ServiceName);
      for (const [, specifier] of source.matchAll(importPattern)) {
        const imported = resolveImport(file, specifier);
        if (imported && !seen.has(imported)) {
          seen.add(imported);
          queue.push(imported);
        }
      }
    }
    called.delete(process as ServiceName);
    calls[process] = called;
  }
  return calls;
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
    const manifests = parseAllDocuments(result.stdout)
      .map((document) => document.toJS() as Manifest | null)
      .filter((manifest): manifest is Manifest => manifest !== null);
    // Every object Helm would apply must be one the API server accepts.
    for (const manifest of manifests) validateKubernetesObject(manifest);
    return manifests;
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
    // The release's Secret, and the migration Job's hook Secret (the database URL alone).
    const secret = ofKind(manifests, 'Secret').find((candidate) => !candidate.metadata.annotations?.['helm.sh/hook'])!;
    expect(ofKind(manifests, 'ConfigMap')).toHaveLength(1);
    expect(ofKind(manifests, 'Secret').map((candidate) => candidate.metadata.name)).toEqual(['billing-abaxus', 'billing-abaxus-migrate']);
    expect(ofKind(manifests, 'Ingress')).toHaveLength(0);
    expect(secret.stringData).toEqual({
      ABAXUS_API_KEYS: 'sk_live_0123456789abcdef,sk_live_fedcba9876543210',
      DATABASE_URL: REQUIRED_VALUES.database.url,
      ABAXUS_INTERNAL_TOKEN: expect.stringMatching(/^[A-Za-z0-9]{48}$/),
      STRIPE_SECRET_KEY: 'sk_test_stripe',
    });
    expect(configMap.data).toMatchObject({ KAFKA_BROKERS: REQUIRED_VALUES.kafka.brokers, ABAXUS_LOG_LEVEL: 'log' });
    for (const key of Object.keys(configMap.data ?? {})) expect(key).not.toMatch(/SECRET|DATABASE_URL|API_KEYS|SMTP_|MAIL_|STRIPE_/);

    for (const app of APPS) {
      const deployment = deployments.find((candidate) => candidate.metadata.name === `billing-abaxus-${app.component}`)!;
      const service = services.find((candidate) => candidate.metadata.name === `billing-abaxus-${app.component}`)!;
      const pod = deployment.spec!.template!;
      const [container] = pod.spec.containers;
      // The gateway's and aggregation's replicas are their autoscalers'; the others' two by default.
      expect(deployment.spec!.replicas).toBe(app.key === 'catalog' ? 3 : AUTOSCALED.includes(app.key) ? undefined : 2);
      expect(container.image).toBe('abaxus:0.1.0');
      expect(container.args).toEqual([`dist/apps/${app.component}/src/main.js`]);
      expect(container.ports).toEqual([{ name: 'http', containerPort: app.port, protocol: 'TCP' }]);
      expect(container.env.find((env) => env.name === 'PORT')?.value).toBe(String(app.port));
      expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
      // Only the secrets this process uses, each from the chart's Secret.
      const secretRefs = container.env.filter((env) => env.valueFrom?.secretKeyRef).map((env) => [env.name, env.valueFrom!.secretKeyRef]);
      expect(secretRefs).toEqual([
        ['DATABASE_URL', { name: secret.metadata.name, key: 'DATABASE_URL' }],
        ['ABAXUS_INTERNAL_TOKEN', { name: secret.metadata.name, key: 'ABAXUS_INTERNAL_TOKEN' }],
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
      expect(missingForDistributedMode(config)).toEqual([]);
      expect(config.internalToken).toBe(secret.stringData!.ABAXUS_INTERNAL_TOKEN);
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

  it('generates the internal token (a new one per fresh render) and keeps the one its Secret already holds', async () => {
    const tokens = await Promise.all([1, 2].map(async () => ofKind(await render(REQUIRED_VALUES), 'Secret')[0].stringData!.ABAXUS_INTERNAL_TOKEN));
    expect(tokens[0]).not.toBe(tokens[1]);
    // Rendering without a cluster cannot show the lookup at work (Helm answers it with nothing):
    // the template reads the release's own Secret and reuses its token when it has one.
    const template = readFileSync(join(ROOT, 'helm', 'abaxus', 'templates', 'secret.yaml'), 'utf8');
    expect(template).toContain('lookup "v1" "Secret" .Release.Namespace (include "abaxus.fullname" .)');
    expect(template).toContain('index $previous.data "ABAXUS_INTERNAL_TOKEN" | b64dec');
  });

  it('with existingSecret renders no Secret and points every process at the given one', async () => {
    const manifests = await render({ kafka: REQUIRED_VALUES.kafka, existingSecret: 'abaxus-prod-secrets' });
    expect(ofKind(manifests, 'Secret')).toHaveLength(0);
    for (const deployment of [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'Job')]) {
      const [container] = deployment.spec!.template!.spec.containers;
      const refs = container.env.filter((env) => env.valueFrom?.secretKeyRef).map((env) => env.valueFrom!.secretKeyRef!);
      // The migration Job needs the database only; the processes also need the internal token.
      const needed = deployment.kind === 'Job' ? ['DATABASE_URL'] : ['DATABASE_URL', 'ABAXUS_INTERNAL_TOKEN'];
      expect(refs.map((ref) => ref.key)).toEqual(expect.arrayContaining(needed));
      expect(new Set(refs.map((ref) => ref.name))).toEqual(new Set(['abaxus-prod-secrets']));
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

  it('validates objects for real: kubernetes-models rejects a planted error', async () => {
    const manifests = await render(REQUIRED_VALUES);
    const [budget] = ofKind(manifests, 'PodDisruptionBudget');
    expect(() => validateKubernetesObject({ ...budget, spec: { ...budget.spec, maxUnavailable: { count: 1 } as never } })).toThrow(
      /PodDisruptionBudget abaxus-\S+ is not a valid Kubernetes object: .*maxUnavailable/,
    );
    const [deployment] = ofKind(manifests, 'Deployment');
    const broken = JSON.parse(JSON.stringify(deployment)) as Manifest;
    broken.spec!.template!.spec.containers[0].resources = { limits: { memory: {} as never } };
    expect(() => validateKubernetesObject(broken)).toThrow(/resources\/limits\/memory/);
  });

  it('with every option on, renders only valid Kubernetes objects, each kind accounted for', async () => {
    const manifests = await render({
      ...REQUIRED_VALUES,
      ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'billing.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }] },
      metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
      networkPolicy: { enabled: true, gatewayFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
      apps: { catalog: { replicas: 3, autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 5, targetCPUUtilizationPercentage: 60 } } },
    });
    const kinds = manifests.reduce<Record<string, number>>((count, manifest) => ({ ...count, [manifest.kind]: (count[manifest.kind] ?? 0) + 1 }), {});
    expect(kinds).toEqual({
      ConfigMap: 1,
      Secret: 2,
      Service: 7,
      Deployment: 7,
      HorizontalPodAutoscaler: 3,
      PodDisruptionBudget: 7,
      NetworkPolicy: 7,
      Job: 1,
      Pod: 1,
      Ingress: 1,
      ServiceMonitor: 1,
    });
  });

  it('gives every container of every pod (services, the migration Job, the test pod) requests and a memory limit', async () => {
    const specs = podSpecsOf(await render(REQUIRED_VALUES));
    expect(specs.map(([name]) => name).sort()).toEqual(
      [...APPS.map((app) => `Deployment abaxus-${app.component}`), 'Job abaxus-migrate', 'Pod abaxus-test-ready'].sort(),
    );
    for (const [name, spec] of specs)
      for (const container of spec.containers) {
        expect([name, Object.keys(container.resources.requests ?? {}).sort()]).toEqual([name, ['cpu', 'memory']]);
        expect([name, container.resources.limits?.memory]).toEqual([name, expect.stringMatching(/^\d+Mi$/)]);
        expect([name, container.securityContext]).toEqual([name, expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })]);
      }
  });

  it('limits voluntary disruptions to one pod per process (a PodDisruptionBudget each), never blocking a drain', async () => {
    const manifests = await render(REQUIRED_VALUES);
    const budgets = ofKind(manifests, 'PodDisruptionBudget');
    expect(budgets).toHaveLength(APPS.length);
    for (const app of APPS) {
      const budget = budgets.find((candidate) => candidate.metadata.name === `abaxus-${app.component}`)!;
      const deployment = ofKind(manifests, 'Deployment').find((candidate) => candidate.metadata.name === `abaxus-${app.component}`)!;
      expect(budget.spec!.maxUnavailable).toBe(1);
      expect(budget.spec!.selector!.matchLabels).toEqual(deployment.spec!.selector!.matchLabels);
    }
    expect(ofKind(await render({ ...REQUIRED_VALUES, podDisruptionBudget: { enabled: false } }), 'PodDisruptionBudget')).toHaveLength(0);
    const refused = await helm(['lint', '-f', valuesFile('pdb-zero', { ...REQUIRED_VALUES, podDisruptionBudget: { enabled: true, maxUnavailable: 0 } })]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("at '/podDisruptionBudget/maxUnavailable'");
  });

  it('scales the gateway (2-6) and aggregation (2-4, at most the usage partitions) on CPU; the others keep their replicas', async () => {
    const manifests = await render(REQUIRED_VALUES);
    const autoscalers = ofKind(manifests, 'HorizontalPodAutoscaler');
    expect(autoscalers.map((hpa) => [hpa.metadata.name, hpa.spec!.scaleTargetRef, hpa.spec!.minReplicas, hpa.spec!.maxReplicas])).toEqual([
      ['abaxus-aggregation', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'abaxus-aggregation' }, 2, 4],
      ['abaxus-api-gateway', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'abaxus-api-gateway' }, 2, 6],
    ]);
    for (const hpa of autoscalers)
      expect(hpa.spec!.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);

    const fixed = await render({ ...REQUIRED_VALUES, apps: { gateway: { replicas: 3, autoscaling: { enabled: false } } } });
    expect(ofKind(fixed, 'HorizontalPodAutoscaler').map((hpa) => hpa.metadata.name)).toEqual(['abaxus-aggregation']);
    expect(ofKind(fixed, 'Deployment').find((deployment) => deployment.metadata.name === 'abaxus-api-gateway')!.spec!.replicas).toBe(3);

    // Rendering fails (helm lint reports template failures as passing): an autoscaler needs a CPU request.
    const noRequest = await helm([
      'template',
      '-f',
      valuesFile('hpa-no-cpu', {
        ...REQUIRED_VALUES,
        apps: { pricing: { resources: { requests: { cpu: null } }, autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 2 } } },
      }),
    ]);
    expect(noRequest.code).not.toBe(0);
    expect(noRequest.output).toContain('apps.pricing.autoscaling needs apps.pricing.resources.requests.cpu');
  });

  it('spreads each process over zones, then nodes, as a preference', async () => {
    for (const deployment of ofKind(await render(REQUIRED_VALUES), 'Deployment')) {
      const component = deployment.metadata.labels!['app.kubernetes.io/component'];
      expect([component, deployment.spec!.template!.spec.topologySpreadConstraints]).toEqual([
        component,
        ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
          maxSkew: 1,
          topologyKey,
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: selectorOf('abaxus', component) },
        })),
      ]);
    }
    const off = await render({ ...REQUIRED_VALUES, topologySpread: { enabled: false } });
    for (const deployment of ofKind(off, 'Deployment')) expect(deployment.spec!.template!.spec.topologySpreadConstraints).toBeUndefined();
  });

  it('lets each service be reached only by the processes whose code calls it, on its port; the gateway by anyone', async () => {
    const calls = serviceCallsInCode();
    // What the code shows today (the list in the chart's _helpers.tpl must follow it).
    expect(Object.fromEntries(Object.entries(calls).map(([process, called]) => [process, [...called].sort()]))).toEqual({
      'api-gateway': [...SERVICE_NAMES].sort(),
      catalog: ['invoicing'],
      ingestion: ['aggregation', 'catalog'],
      aggregation: ['catalog'],
      pricing: ['aggregation', 'catalog'],
      invoicing: ['catalog', 'pricing'],
      notifications: ['aggregation', 'catalog', 'pricing'],
    });
    const policies = ofKind(await render(REQUIRED_VALUES, 'billing'), 'NetworkPolicy');
    expect(policies).toHaveLength(APPS.length);
    for (const app of APPS) {
      const policy = policies.find((candidate) => candidate.metadata.name === `billing-abaxus-${app.component}`)!;
      expect(policy.spec!.podSelector!.matchLabels).toEqual(selectorOf('billing', app.component));
      expect(policy.spec!.policyTypes).toEqual(['Ingress']);
      const [rule, ...others] = policy.spec!.ingress!;
      expect(others).toEqual([]);
      expect(rule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
      if (app.key === 'gateway') {
        expect(rule.from).toBeUndefined();
        continue;
      }
      const callers = (Object.keys(calls) as ProcessName[]).filter((process) => calls[process].has(app.component as ServiceName));
      expect([app.component, rule.from]).toEqual([
        app.component,
        expect.arrayContaining(callers.map((caller) => ({ podSelector: { matchLabels: selectorOf('billing', caller) } }))),
      ]);
      expect([app.component, rule.from!.length]).toEqual([app.component, callers.length]);
    }
  });

  it('narrows the gateway to networkPolicy.gatewayFrom (plus the helm test pod) when set, and renders no policy when off', async () => {
    const ingressNamespace = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } };
    const manifests = await render({ ...REQUIRED_VALUES, networkPolicy: { enabled: true, gatewayFrom: [ingressNamespace] } });
    const gateway = ofKind(manifests, 'NetworkPolicy').find((policy) => policy.metadata.name === 'abaxus-api-gateway')!;
    const [testPod] = ofKind(manifests, 'Pod');
    expect(gateway.spec!.ingress![0].from).toEqual([ingressNamespace, { podSelector: { matchLabels: selectorOf('abaxus', 'test') } }]);
    expect(testPod.metadata.labels).toMatchObject(selectorOf('abaxus', 'test'));
    expect(ofKind(await render({ ...REQUIRED_VALUES, networkPolicy: { enabled: false } }), 'NetworkPolicy')).toHaveLength(0);
  });

  it('migrates every schema in a pre-install/pre-upgrade Job from the same image, before the pods start or roll', async () => {
    const manifests = await render(REQUIRED_VALUES);
    const [job] = ofKind(manifests, 'Job');
    const hookSecret = ofKind(manifests, 'Secret').find((secret) => secret.metadata.name === 'abaxus-migrate')!;
    expect(job.metadata.annotations).toEqual({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': '0',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    // Hooks run before the release's own Secret exists: the Job's database URL comes from a hook
    // Secret created just before it (a lower weight), holding nothing else.
    expect(hookSecret.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-10' });
    expect(hookSecret.stringData).toEqual({ DATABASE_URL: REQUIRED_VALUES.database.url });
    const pod = job.spec!.template!.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(job.spec!.backoffLimit).toBe(1);
    const [container] = pod.containers;
    const [service] = ofKind(manifests, 'Deployment')[0].spec!.template!.spec.containers;
    expect(container.image).toBe(service.image);
    expect(container.args).toEqual(['dist/apps/migrate/src/main.js']);
    expect(container.env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'abaxus-migrate', key: 'DATABASE_URL' } } },
      { name: 'ABAXUS_LOG_LEVEL', value: 'log' },
    ]);
    const config = loadConfig({ DATABASE_URL: hookSecret.stringData!.DATABASE_URL, ABAXUS_LOG_LEVEL: 'log' });
    expect(config.databaseUrl).toBe(REQUIRED_VALUES.database.url);

    const off = await render({ ...REQUIRED_VALUES, migrations: { job: { enabled: false } } });
    expect(ofKind(off, 'Job')).toHaveLength(0);
    expect(ofKind(off, 'Secret').map((secret) => secret.metadata.name)).toEqual(['abaxus']);
  });

  it('mounts a private Kafka CA (and client certificate) from kafka.tls.existingSecret read-only in every service pod, named in KAFKA_SSL_*_FILE', async () => {
    const kafka = { ...REQUIRED_VALUES.kafka, ssl: true, tls: { existingSecret: 'kafka-tls', clientCertificate: true } };
    const deployments = ofKind(await render({ ...REQUIRED_VALUES, kafka }), 'Deployment');
    expect(deployments).toHaveLength(APPS.length);
    for (const deployment of deployments) {
      const pod = deployment.spec!.template!.spec!;
      const [container] = pod.containers;
      expect(pod.volumes).toContainEqual({ name: 'kafka-tls', secret: { secretName: 'kafka-tls', defaultMode: 0o444 } });
      expect(container.volumeMounts).toContainEqual({ name: 'kafka-tls', mountPath: '/etc/abaxus/kafka-tls', readOnly: true });
      expect(container.env).toEqual(
        expect.arrayContaining([
          { name: 'KAFKA_SSL_CA_FILE', value: '/etc/abaxus/kafka-tls/ca.crt' },
          { name: 'KAFKA_SSL_CERT_FILE', value: '/etc/abaxus/kafka-tls/tls.crt' },
          { name: 'KAFKA_SSL_KEY_FILE', value: '/etc/abaxus/kafka-tls/tls.key' },
        ]),
      );
    }
    const caOnly = ofKind(await render({ ...REQUIRED_VALUES, kafka: { ...kafka, tls: { existingSecret: 'kafka-ca' } } }), 'Deployment');
    const names = (caOnly[0].spec!.template!.spec!.containers[0].env ?? []).map((variable) => variable.name);
    expect(names).toContain('KAFKA_SSL_CA_FILE');
    expect(names).not.toContain('KAFKA_SSL_CERT_FILE');
    const plain = ofKind(await render(REQUIRED_VALUES), 'Deployment')[0].spec!.template!.spec!;
    expect(plain.volumes!.map((volume) => volume.name)).toEqual(['tmp']);

    // `helm lint` only logs a template's `fail`; rendering stops on it.
    const withoutSsl = await helm([
      'template',
      '-f',
      valuesFile('tls-no-ssl', { ...REQUIRED_VALUES, kafka: { ...REQUIRED_VALUES.kafka, tls: { existingSecret: 'kafka-tls' } } }),
    ]);
    expect(withoutSsl.code).not.toBe(0);
    expect(withoutSsl.output).toContain('kafka.tls.existingSecret needs kafka.ssl: true');
  });

  it('offers a ServiceMonitor for the gateway’s /metrics, off by default', async () => {
    expect(ofKind(await render(REQUIRED_VALUES), 'ServiceMonitor')).toHaveLength(0);
    const manifests = await render({ ...REQUIRED_VALUES, metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' }, interval: '15s' } } });
    const [monitor] = ofKind(manifests, 'ServiceMonitor');
    const gateway = ofKind(manifests, 'Service').find((service) => service.metadata.name === 'abaxus-api-gateway')!;
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
    // It selects the gateway's Service (and no other) by its labels, on its named port.
    for (const service of ofKind(manifests, 'Service'))
      expect([
        service.metadata.name,
        Object.entries(monitor.spec!.selector!.matchLabels).every(([key, value]) => service.metadata.labels?.[key] === value),
      ]).toEqual([service.metadata.name, service === gateway]);
    expect(monitor.spec!.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }]);
    expect(gateway.spec!.ports![0].name).toBe('http');
  });
});
