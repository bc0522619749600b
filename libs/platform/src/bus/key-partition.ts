import type { PartitionerArgs } from 'kafkajs';

type Partitioner = (args: PartitionerArgs) => number;

/**
 * The partition a keyed message lands on, computed the way Kafka's Java client (and kafkajs's
 * DefaultPartitioner, which the engine's producer uses) does: murmur2 of the key's UTF-8 bytes,
 * made positive, modulo the partition count. A strong read uses it to wait only for the partition
 * that holds a customer's events. Producers that publish usage directly must partition the same
 * way (the Java default; librdkafka: partitioner=murmur2_random).
 */
export function partitionForKey(key: string, partitionCount: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitionCount;
}

/** Positive murmur2 hashes of recent keys (customers repeat): kept until this many, then forgotten. */
const MAX_REMEMBERED_KEYS = 100_000;

/**
 * A kafkajs partitioner that picks exactly what `Partitioners.DefaultPartitioner` picks, cheaper
 * on the hot path: a keyed message's hash is remembered per key, and the partition list is not
 * filtered for every message. Messages with an explicit partition or without a key are left to
 * the default partitioner.
 */
export function rememberingKeyPartitioner(defaultPartitioner: Partitioner): Partitioner {
  const hashes = new Map<string, number>();
  return (args) => {
    const { message, partitionMetadata } = args;
    if ((message.partition !== null && message.partition !== undefined) || typeof message.key !== 'string') return defaultPartitioner(args);
    let hash = hashes.get(message.key);
    if (hash === undefined) {
      if (hashes.size >= MAX_REMEMBERED_KEYS) hashes.clear();
      hash = murmur2(Buffer.from(message.key, 'utf8')) & 0x7fffffff;
      hashes.set(message.key, hash);
    }
    return hash % partitionMetadata.length;
  };
}

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), seed 0x9747b28c. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) | ((data[i4 + 2] & 0xff) << 16) | ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  const tail = length & ~3;
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
