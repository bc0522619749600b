import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@abaxus/contracts/topics';
import { loadConfig } from '../config/abaxus-config';
import { freePort, PrivateBroker, startPrivateBroker } from '../testing/private-kafka-broker';
import { pollUntil } from '../testing/poll-until';
import { createMessageBus } from './create-message-bus';
import { IncomingMessage, MessageBus } from './message-bus';

/**
 * The Kafka adapter against a real broker (deploy/kafka/kafka.sh, Kafka 4.1.2) with TLS, mutual
 * TLS and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) listeners, configured only through the
 * validated configuration (KAFKA_SSL*, KAFKA_SASL_*), with certificates made here by openssl.
 */
describe('Kafka security and topic settings (real broker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'abaxus-kafka-tls-'));
  const file = (name: string) => join(dir, name);
  let broker: PrivateBroker;
  const ports = { ssl: 0, saslSsl: 0 };
  const buses: MessageBus[] = [];

  beforeAll(async () => {
    makeCertificates(dir);
    ports.ssl = await freePort();
    ports.saslSsl = await freePort();
    writeFileSync(
      file('broker.properties'),
      [
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${file('server.pem')}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${file('ca.pem')}`,
        'listener.name.ssl.ssl.client.auth=required',
        'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-plain-secret";',
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        '',
      ].join('\n'),
    );
    broker = await startPrivateBroker({
      extraListeners: [`SSL://127.0.0.1:${ports.ssl}`, `SASL_SSL://127.0.0.1:${ports.saslSsl}`],
      extraConfigFile: file('broker.properties'),
      scramUsers: ['SCRAM-SHA-256=[name=bob,password=bob-scram-secret]', 'SCRAM-SHA-512=[name=carol,password=carol-scram-secret]'],
    });
  }, 120_000);

  afterAll(async () => {
    for (const bus of buses) await bus.close();
    broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function busFor(env: Record<string, string>): MessageBus {
    const config = loadConfig({ ABAXUS_TOPIC_PREFIX: `sec${randomBytes(4).toString('hex')}.`, ...env });
    const bus = createMessageBus(config, 'postgres://unused', 'security-test');
    buses.push(bus);
    return bus;
  }

  async function roundTrip(bus: MessageBus): Promise<void> {
    const value = randomBytes(8).toString('hex');
    // The first publish also creates the topics and the producer session (TLS, SASL); like any
    // client told "503, Retry-After", try again until it is acknowledged.
    await pollUntil(() => bus.publish([{ topic: TOPICS.catalogEvents, key: 'k', value }]), { timeoutMs: 30_000, intervalMs: 500 });
    const received: IncomingMessage[] = [];
    const subscription = await bus.subscribe({ groupId: 'security', topics: [TOPICS.catalogEvents], handleBatch: async (m) => void received.push(...m) });
    // A publish that timed out may still have landed (at least once): the value, maybe repeated.
    await pollUntil(async () => expect([...new Set(received.map((m) => m.value))]).toEqual([value]), { timeoutMs: 30_000 });
    await subscription.stop();
  }

  const tls = () => ({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: file('ca.pem') });

  it('publishes and consumes over mutual TLS (CA, client certificate and key files)', async () => {
    await roundTrip(
      busFor({ KAFKA_BROKERS: `127.0.0.1:${ports.ssl}`, ...tls(), KAFKA_SSL_CERT_FILE: file('client.crt'), KAFKA_SSL_KEY_FILE: file('client.key') }),
    );
  }, 60_000);

  it.each([
    ['scram-sha-256', 'bob', 'bob-scram-secret'],
    ['scram-sha-512', 'carol', 'carol-scram-secret'],
    ['plain', 'alice', 'alice-plain-secret'],
  ])(
    'publishes and consumes over SASL_SSL with %s',
    async (mechanism, username, password) => {
      await roundTrip(
        busFor({
          KAFKA_BROKERS: `127.0.0.1:${ports.saslSsl}`,
          ...tls(),
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: username,
          KAFKA_SASL_PASSWORD: password,
        }),
      );
    },
    60_000,
  );

  it('names the settings to check when the password is wrong or the CA is missing', async () => {
    const wrongPassword = busFor({
      KAFKA_BROKERS: `127.0.0.1:${ports.saslSsl}`,
      ...tls(),
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'bob',
      KAFKA_SASL_PASSWORD: 'not-his-password',
    });
    await expect(wrongPassword.ping()).rejects.toThrow(/KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/);
    const untrusted = busFor({ KAFKA_BROKERS: `127.0.0.1:${ports.ssl}`, KAFKA_SSL: 'true' });
    await expect(untrusted.ping()).rejects.toThrow(/KAFKA_SSL_CA_FILE/);
  }, 60_000);

  it('creates topics with ABAXUS_TOPIC_PARTITIONS and ABAXUS_TOPIC_REPLICATION_FACTOR, and only checks them with ABAXUS_KAFKA_CREATE_TOPICS=false', async () => {
    const prefix = `part${randomBytes(4).toString('hex')}.`;
    const created = busFor({ KAFKA_BROKERS: broker.brokers, ABAXUS_TOPIC_PREFIX: prefix, ABAXUS_TOPIC_PARTITIONS: '3', ABAXUS_TOPIC_REPLICATION_FACTOR: '1' });
    expect([...(await created.endOffsets(TOPICS.usageEvents)).keys()].sort()).toEqual([0, 1, 2]);

    const missing = busFor({ KAFKA_BROKERS: broker.brokers, ABAXUS_KAFKA_CREATE_TOPICS: 'false' });
    await expect(missing.publish([{ topic: TOPICS.usageEvents, key: 'k', value: 'v' }])).rejects.toThrow(/ABAXUS_KAFKA_CREATE_TOPICS=false/);
    const existing = busFor({ KAFKA_BROKERS: broker.brokers, ABAXUS_TOPIC_PREFIX: prefix, ABAXUS_KAFKA_CREATE_TOPICS: 'false' });
    await existing.publish([{ topic: TOPICS.usageEvents, key: 'k', value: 'v' }]);
    const admin = new Kafka({ clientId: 'security-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [`${prefix}${TOPICS.usageEvents}`] });
    await admin.disconnect();
    expect(metadata.topics[0].partitions).toHaveLength(3);
  }, 60_000);
});

/** A CA, a server certificate for 127.0.0.1 (with its key, PEM, for the broker) and a client certificate. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=abaxus-test-ca');
  for (const [name, subject, extension] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ['client', '/CN=abaxus-client', 'extendedKeyUsage=clientAuth'],
  ]) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
  // Kafka's PEM key store: the unencrypted PKCS#8 key, then the certificate chain.
  writeFileSync(join(dir, 'server.pem'), `${readFileSync(join(dir, 'server.key'), 'utf8')}${readFileSync(join(dir, 'server.crt'), 'utf8')}`);
}
