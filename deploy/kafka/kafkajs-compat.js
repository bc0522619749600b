#!/usr/bin/env node
'use strict';
/*
 * kafkajs compatibility check against a running broker (start one with deploy/kafka/kafka.sh start):
 *
 *   node deploy/kafka/kafkajs-compat.js [127.0.0.1:19092]
 *
 * Exercises what the engine's Kafka adapter (libs/platform/src/bus/kafka-message-bus.ts) uses of
 * kafkajs, with the same options: admin topic creation (listTopics, createTopics waiting for
 * leaders), an idempotent producer with acks=all sending keyed messages with headers, end offsets
 * (fetchTopicOffsets), eachBatch consumers with manual commits of offset + 1 and manual resolve,
 * several partitions at once, and a restarted consumer resuming from the committed offsets (an
 * uncommitted batch is delivered again, a committed one never). Prints PASS/FAIL per step, exits 1
 * if any step failed. Topics and groups it makes carry a unique run id; the topics are deleted.
 */
const { Kafka, Partitioners, logLevel } = require('kafkajs');

const broker = process.argv[2] || process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 19092}`;
const runId = `${Date.now().toString(36)}-${process.pid}`;
const TOPIC = `abaxus-compat-${runId}`;
const GROUP = `abaxus-compat-g-${runId}`;
const PARTITIONS = 3;
const KEYS = Array.from({ length: 8 }, (_, i) => `cust_${i}`);

const warnings = [];
const kafka = new Kafka({
  clientId: 'abaxus-kafkajs-compat',
  brokers: [broker],
  connectionTimeout: 3000,
  requestTimeout: 10000,
  // No client-level `retry`: producers inherit it, and an idempotent producer with a finite
  // retries count makes kafkajs warn "Limiting retries ... may invalidate EoS guarantees".
  logLevel: logLevel.WARN,
  logCreator:
    () =>
    ({ namespace, level, log }) => {
      if (level <= logLevel.WARN) {
        const { message, ...extra } = log;
        const line = `[kafkajs ${level === logLevel.ERROR ? 'ERROR' : 'WARN'} ${namespace}] ${message} ${JSON.stringify(extra)}`;
        warnings.push(line);
        if (process.env.COMPAT_VERBOSE) process.stderr.write(`${line}\n`);
      }
    },
});

const admin = kafka.admin({ retry: { retries: 8, initialRetryTime: 200 } });
const results = [];

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function step(name, fn, { timeoutMs = 30000 } = {}) {
  const started = Date.now();
  const warningsBefore = warnings.length;
  try {
    const detail = await withTimeout(Promise.resolve().then(fn), timeoutMs, name);
    results.push({ name, ok: true });
    console.log(`PASS  ${name} (${Date.now() - started} ms)${detail ? ` - ${detail}` : ''}`);
    return true;
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`FAIL  ${name} (${Date.now() - started} ms) - ${err && err.message ? err.message : err}`);
    for (const warning of warnings.slice(warningsBefore, warningsBefore + 5)) console.log(`      ${warning}`);
    return false;
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const nextOffset = (offset) => (BigInt(offset) + 1n).toString();

/** Messages as the engine sends them: keyed by customer, a JSON value, string headers. */
function usageMessages(from, count) {
  return Array.from({ length: count }, (_, j) => {
    const seq = from + j;
    const key = KEYS[seq % KEYS.length];
    return { key, value: JSON.stringify({ seq, customer_id: key }), headers: { 'x-seq': String(seq), 'x-customer': key } };
  });
}

/**
 * A consumer configured like the engine's: eachBatch, autoCommit off, eachBatchAutoResolve off,
 * two partitions at a time; after handling a batch it commits offset + 1 of its last message, then
 * resolves it. `commits(partition)` false leaves that partition's batches uncommitted (a crash
 * between handling and committing). Runs until `done(received)`, then disconnects.
 */
async function consumeUntil({ done, commits = () => true, timeoutMs = 30000 }) {
  const consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
    retry: { retries: 8, initialRetryTime: 200 },
  });
  const received = [];
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  const crashes = [];
  consumer.on(consumer.events.CRASH, (event) => crashes.push(event.payload.error));
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      for (const message of batch.messages) {
        received.push({
          partition: batch.partition,
          offset: message.offset,
          key: message.key && message.key.toString(),
          value: message.value && message.value.toString(),
          headers: Object.fromEntries(Object.entries(message.headers || {}).map(([name, value]) => [name, String(value)])),
        });
      }
      if (commits(batch.partition)) {
        const last = batch.messages[batch.messages.length - 1].offset;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset(last) }]);
        resolveOffset(last);
      }
      await heartbeat();
      if (done(received)) finish();
    },
  });
  try {
    await withTimeout(finished, timeoutMs, `consuming ${TOPIC} in group ${GROUP}`);
  } catch (err) {
    throw new Error(`${err.message}; got ${received.length} message(s)${crashes.length ? `; crash: ${crashes[0]}` : ''}`);
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return received;
}

/** The group's committed offset of every partition that holds messages is its end offset. */
async function expectCommittedAtEnd() {
  const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  for (const end of await admin.fetchTopicOffsets(TOPIC)) {
    if (end.high === '0') continue; // never written: nothing to commit (the group shows -1)
    const offset = committed.partitions.find((p) => p.partition === end.partition).offset;
    assert(offset === end.high, `partition ${end.partition}: committed ${offset}, end offset ${end.high}`);
  }
}

const seqOf = (message) => JSON.parse(message.value).seq;
/** Each message once (a redelivered batch may repeat some while its consumer still runs). */
const distinct = (messages) => [...new Map(messages.map((m) => [`${m.partition}@${m.offset}`, m])).values()];

async function main() {
  console.log(`kafkajs ${require('kafkajs/package.json').version} against ${broker} (run ${runId})`);

  const connected = await step('admin connect + describeCluster (the readiness ping)', async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    assert(cluster.brokers.length >= 1, 'no brokers in cluster');
    return `clusterId=${cluster.clusterId} controller=${cluster.controller} brokers=${cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',')}`;
  });
  if (!connected) return;

  await step(`admin topic creation: listTopics, createTopics (${PARTITIONS} partitions, waitForLeaders)`, async () => {
    assert(!(await admin.listTopics()).includes(TOPIC), 'the topic exists before it was created');
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    assert(created === true, `createTopics returned ${created}`);
    assert((await admin.listTopics()).includes(TOPIC), 'listTopics does not show the new topic');
    // Two processes may create the engine's topics at once: the loser gets false, not an error.
    const again = await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    assert(again === false, 'creating an existing topic should return false');
    const metadata = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    const partitions = metadata.topics[0].partitions;
    assert(partitions.length === PARTITIONS, `expected ${PARTITIONS} partitions, got ${partitions.length}`);
    assert(
      partitions.every((p) => p.leader >= 0),
      'a partition has no leader',
    );
    return `${TOPIC}: ${partitions.length} partitions, leaders ${partitions.map((p) => p.leader).join(',')}`;
  });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await step('idempotent producer connect (idempotent, maxInFlightRequests 1, DefaultPartitioner)', () => producer.connect());

  await step('send 24 keyed messages with headers, acks -1, in two sends; end offsets (fetchTopicOffsets) cover them', async () => {
    const metadata = [
      ...(await producer.send({ topic: TOPIC, acks: -1, messages: usageMessages(0, 16) })),
      ...(await producer.send({ topic: TOPIC, acks: -1, messages: usageMessages(16, 8) })),
    ];
    assert(
      metadata.every((m) => m.errorCode === 0 && m.baseOffset !== undefined),
      `produce errors: ${JSON.stringify(metadata)}`,
    );
    const ends = await admin.fetchTopicOffsets(TOPIC);
    const total = ends.reduce((sum, p) => sum + Number(p.high), 0);
    assert(total === 24, `end offsets add up to ${total}, expected 24`);
    return `end offsets ${ends.map((p) => `p${p.partition}=${p.high}`).join(' ')}`;
  });

  await step('eachBatch consumer (autoCommit off, manual resolve, 2 partitions at once) commits offset + 1', async () => {
    const got = distinct(await consumeUntil({ done: (r) => distinct(r).length >= 24 }));
    const seqs = got.map(seqOf).sort((a, b) => a - b);
    assert(got.length === 24 && seqs.every((seq, i) => seq === i), `missing or duplicate messages: ${seqs}`);
    for (const message of got) {
      assert(message.headers['x-customer'] === message.key, `header x-customer ${message.headers['x-customer']} != key ${message.key}`);
      assert(message.headers['x-seq'] === String(seqOf(message)), 'header x-seq does not match the value');
    }
    const partitionOfKey = new Map();
    for (const message of got) {
      const partition = partitionOfKey.get(message.key);
      assert(partition === undefined || partition === message.partition, `key ${message.key} landed on two partitions`);
      partitionOfKey.set(message.key, message.partition);
      const sameKey = got.filter((m) => m.key === message.key);
      const inOffsetOrder = [...sameKey].sort((a, b) => Number(a.offset) - Number(b.offset)).map(seqOf);
      assert(JSON.stringify(inOffsetOrder) === JSON.stringify(sameKey.map(seqOf).sort((a, b) => a - b)), `key ${message.key} out of order`);
    }
    await expectCommittedAtEnd();
    return `24 messages once each, headers intact, each key on one partition in order; committed = end offsets`;
  });

  let uncommitted;
  await step('restart: a new consumer in the group gets only new messages; one whose batch it did not commit...', async () => {
    const metadata = await producer.send({ topic: TOPIC, acks: -1, messages: usageMessages(24, 6) });
    const skipped = metadata[0].partition;
    const got = distinct(await consumeUntil({ done: (r) => distinct(r).length >= 6, commits: (partition) => partition !== skipped }));
    const seqs = got.map(seqOf).sort((a, b) => a - b);
    assert(JSON.stringify(seqs) === JSON.stringify([24, 25, 26, 27, 28, 29]), `expected the 6 new messages only, got ${seqs}`);
    uncommitted = got.filter((m) => m.partition === skipped).map(seqOf);
    return `got ${seqs.join(',')}; left p${skipped} (${uncommitted.join(',')}) uncommitted`;
  });

  await step('...is delivered again, alone, to the next consumer', async () => {
    assert(uncommitted && uncommitted.length > 0, 'the previous step did not run');
    const got = distinct(await consumeUntil({ done: (r) => distinct(r).length >= uncommitted.length }));
    const seqs = got.map(seqOf).sort((a, b) => a - b);
    assert(JSON.stringify(seqs) === JSON.stringify(uncommitted), `expected ${uncommitted}, got ${seqs}`);
    await expectCommittedAtEnd();
    return `redelivered ${seqs.join(',')}, nothing else; committed = end offsets`;
  });

  await producer.disconnect().catch(() => {});
  await step('admin deleteTopics (cleanup)', () => admin.deleteTopics({ topics: [TOPIC], timeout: 10000 }));
  await admin.disconnect().catch(() => {});
}

main()
  .catch((err) => {
    console.log(`FAIL  unexpected error - ${err && err.stack ? err.stack : err}`);
    results.push({ name: 'unexpected', ok: false });
  })
  .finally(() => {
    const failed = results.filter((r) => !r.ok);
    if (warnings.length) {
      console.log(`kafkajs logged ${warnings.length} warning/error line(s)${process.env.COMPAT_VERBOSE ? '' : ' (COMPAT_VERBOSE=1 shows them)'}:`);
      for (const warning of [...new Set(warnings.map((w) => w.replace(/\{.*\}$/, '')))].slice(0, 10)) console.log(`  ${warning}`);
    }
    console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
    process.exit(failed.length || results.length === 0 ? 1 : 0);
  });
