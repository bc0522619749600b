import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

export interface JavaRecord {
  /** The producer's compression.type: none, gzip, snappy, lz4 or zstd. */
  compression: string;
  key: string;
  value: string;
}

/** The broker's jars (kafka-clients and its codecs among them), fetched by deploy/kafka/kafka.sh. */
function kafkaJarsDir(): string {
  const fetched = spawnSync('bash', [join(ROOT, 'deploy/kafka/kafka.sh'), 'fetch'], { encoding: 'utf8' });
  const dir = /jars in (\S+)/.exec(fetched.stdout)?.[1];
  if (fetched.status !== 0 || !dir) throw new Error(`deploy/kafka/kafka.sh fetch failed: ${fetched.stderr}`);
  return dir;
}

/**
 * Publishes the records with the official Apache Kafka Java producer (acks=all), one producer per
 * compression type, through deploy/kafka/tools/ProduceLines.java. Resolves once all are acknowledged.
 */
export function produceWithJavaClient(brokers: string, topic: string, records: JavaRecord[], properties: Record<string, string> = {}): Promise<void> {
  const classpath = `${kafkaJarsDir()}/*`;
  const args = [
    '-cp',
    classpath,
    join(ROOT, 'deploy/kafka/tools/ProduceLines.java'),
    brokers,
    topic,
    ...Object.entries(properties).map(([k, v]) => `${k}=${v}`),
  ];
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (const record of records) {
    if (/[\t\n]/.test(record.key + record.value)) throw new Error('keys and values may hold no tab or newline');
    child.stdin.write(`${record.compression}\t${record.key}\t${record.value}\n`);
  }
  child.stdin.end();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 && output.includes(`sent ${records.length}`) ? resolve() : reject(new Error(`Java producer exited ${code}: ${output.slice(-2000)}`)),
    );
  });
}
