#!/usr/bin/env node
'use strict';
/*
 * kafkajs compatibility check against a running broker (start one with deploy/kafka/kafka.sh start):
 *
 *   node deploy/kafka/kafkajs-compat.js [127.0.0.1:19092]
 *
 * Exercises what ABAXUS uses from kafkajs: admin topic creation, an idempotent producer with keyed
 * messages and headers, a consumer group with eachBatch and manual commits (offset + 1), a restarted
 * consumer resuming from the committed offsets, and a transactional producer (commit, abort,
 * sendOffsets). Prints PASS/FAIL per step, exits 1 if any step failed. Topics and groups it makes
 * carry a unique run id and the topics are deleted at the end.
 */
const { Kafka, Partitioners, logLevel, CompressionTypes } = require('kafkajs');

const broker = process.argv[2] || process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 19092}`;
const runId = `${Date.now().toString(36)}-${process.pid}`;
const TOPIC = `abaxus-compat-${runId}`;
const TXN_TOPIC = `abaxus-compat-txn-${runId}`;
const AUTO_TOPIC = `abaxus-compat-auto-${runId}`;
const GROUP = `abaxus-compat-g-${runId}`;
const PARTITIONS = 3;

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

const results = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

async function step(name, fn, { timeoutMs = 30000, optional = false } = {}) {
  const t0 = Date.now();
  const warnBefore = warnings.length;
  try {
    const detail = await withTimeout(Promise.resolve().then(fn), timeoutMs, name);
    const ms = Date.now() - t0;
    results.push({ name, ok: true });
    console.log(`PASS  ${name} (${ms} ms)${detail ? ` - ${detail}` : ''}`);
    return true;
  } catch (err) {
    const ms = Date.now() - t0;
    results.push({ name, ok: false, optional });
    console.log(`FAIL  ${name} (${ms} ms) - ${err && err.message ? err.message : err}`);
    for (const w of warnings.slice(warnBefore, warnBefore + 5)) console.log(`      ${w}`);
    return false;
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** Runs a consumer until `done(received)` is true; returns what eachBatch saw. */
async function consumeUntil({ groupId, topic, done, commit, timeoutMs = 30000, readUncommitted = false }) {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 10000,
    maxWaitTimeInMs: 200,
    readUncommitted,
    retry: { retries: 5 },
  });
  const received = [];
  let resolveDone;
  const finished = new Promise((r) => {
    resolveDone = r;
  });
  const crashes = [];
  consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload.error));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        received.push({
          partition: batch.partition,
          offset: message.offset,
          key: message.key && message.key.toString(),
          value: message.value && message.value.toString(),
          headers: Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)])),
        });
        resolveOffset(message.offset);
      }
      if (commit) await commit(consumer, batch);
      await heartbeat();
      if (done(received)) resolveDone();
    },
  });
  try {
    await withTimeout(finished, timeoutMs, `consuming ${topic} in group ${groupId}`);
  } catch (err) {
    throw new Error(`${err.message}; got ${received.length} message(s)${crashes.length ? `; crash: ${crashes[0]}` : ''}`);
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return received;
}

async function main() {
  console.log(`kafkajs ${require('kafkajs/package.json').version} against ${broker} (run ${runId})`);
  const admin = kafka.admin({ retry: { retries: 5, initialRetryTime: 200 } });
  const produced = []; // { key, value, partition, offset }
  let skipRest = false;

  (await step('admin connect + describeCluster', async () => {
    await admin.connect();
    const c = await admin.describeCluster();
    assert(c.brokers.length >= 1, 'no brokers in cluster');
    return `clusterId=${c.clusterId} controller=${c.controller} brokers=${c.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',')}`;
  })) || (skipRest = true);
  if (skipRest) return;

  await step(`admin createTopics (${PARTITIONS} partitions) + fetchTopicMetadata`, async () => {
    const created = await admin.createTopics({
      topics: [
        { topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 },
        { topic: TXN_TOPIC, numPartitions: 2, replicationFactor: 1 },
      ],
      waitForLeaders: true,
    });
    assert(created === true, `createTopics returned ${created}`);
    const again = await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    assert(again === false, 'creating an existing topic should return false');
    const md = await admin.fetchTopicMetadata({ topics: [TOPIC, TXN_TOPIC] });
    const parts = md.topics.find((t) => t.name === TOPIC).partitions;
    assert(parts.length === PARTITIONS, `expected ${PARTITIONS} partitions, got ${parts.length}`);
    assert(
      parts.every((p) => p.leader >= 0),
      'a partition has no leader',
    );
    const list = await admin.listTopics();
    assert(list.includes(TOPIC), 'listTopics does not show the new topic');
    return `${TOPIC}: ${parts.length} partitions, leaders ${parts.map((p) => p.leader).join(',')}`;
  });

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: true,
  });

  await step('idempotent producer connect (idempotent, maxInFlightRequests 1, DefaultPartitioner)', async () => {
    await producer.connect();
  });

  const keys = Array.from({ length: 8 }, (_, i) => `tenant-${i}`);
  await step('send keyed messages with headers (acks -1), batch of 24 + sendBatch', async () => {
    const messages = Array.from({ length: 16 }, (_, i) => ({
      key: keys[i % keys.length],
      value: JSON.stringify({ seq: i, kind: 'usage' }),
      headers: { 'x-seq': String(i), 'x-tenant': keys[i % keys.length], 'x-bin': Buffer.from([0, 1, 2]) },
    }));
    const meta = await producer.send({ topic: TOPIC, acks: -1, messages });
    const meta2 = await producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.GZIP,
      topicMessages: [
        {
          topic: TOPIC,
          messages: Array.from({ length: 8 }, (_, j) => {
            const i = 16 + j;
            return {
              key: keys[i % keys.length],
              value: JSON.stringify({ seq: i, kind: 'usage' }),
              headers: { 'x-seq': String(i), 'x-tenant': keys[i % keys.length] },
            };
          }),
        },
      ],
    });
    const all = [...meta, ...meta2];
    assert(
      all.every((m) => m.errorCode === 0),
      `produce errors: ${JSON.stringify(all)}`,
    );
    assert(
      all.every((m) => m.baseOffset !== undefined),
      'no baseOffset in produce response',
    );
    return `record metadata: ${all.map((m) => `p${m.partition}@${m.baseOffset}`).join(' ')}`;
  });

  const phase1 = [];
  await step('consumer group eachBatch, autoCommit false, commitOffsets(offset+1)', async () => {
    // Commit the last offset of each batch + 1 (the Kafka convention: the next offset to read).
    const got = await consumeUntil({
      groupId: GROUP,
      topic: TOPIC,
      done: (r) => r.length >= 24,
      commit: async (consumer, batch) => {
        if (batch.messages.length === 0) return;
        const last = batch.messages[batch.messages.length - 1];
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
      },
    });
    phase1.push(...got);
    assert(got.length === 24, `expected 24 messages, got ${got.length}`);
    const seqs = got.map((m) => JSON.parse(m.value).seq).sort((a, b) => a - b);
    assert(
      seqs.every((s, i) => s === i),
      `missing or duplicate messages: ${seqs}`,
    );
    for (const m of got) {
      assert(m.headers['x-tenant'] === m.key, `header x-tenant ${m.headers['x-tenant']} != key ${m.key}`);
      assert(m.headers['x-seq'] === String(JSON.parse(m.value).seq), 'header x-seq mismatch');
    }
    const withBin = got.find((m) => m.headers['x-bin'] !== undefined);
    assert(withBin, 'binary header lost');
    const byKey = new Map();
    for (const m of got) {
      if (byKey.has(m.key)) assert(byKey.get(m.key) === m.partition, `key ${m.key} landed on two partitions`);
      byKey.set(m.key, m.partition);
    }
    const perPartition = [0, 1, 2].map((p) => got.filter((m) => m.partition === p).length);
    return `24 messages, headers intact, each key on one partition, per partition ${perPartition.join('/')}`;
  });

  await step('committed offsets (admin.fetchOffsets) equal the high watermarks', async () => {
    const [offs] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const high = await admin.fetchTopicOffsets(TOPIC);
    for (const h of high) {
      const c = offs.partitions.find((p) => p.partition === h.partition);
      assert(c && c.offset === h.high, `partition ${h.partition}: committed ${c && c.offset}, high ${h.high}`);
    }
    return offs.partitions.map((p) => `p${p.partition}=${p.offset}`).join(' ');
  });

  let rewound;
  await step('rewind one partition by committing an earlier offset (admin.setOffsets)', async () => {
    // Pick the partition with messages and set its committed offset back by one: offset = last offset,
    // i.e. "the last message was not processed". The restarted consumer must re-read exactly it.
    const high = await admin.fetchTopicOffsets(TOPIC);
    const target = high.find((h) => Number(h.high) > 0);
    rewound = { partition: target.partition, offset: (BigInt(target.high) - 1n).toString() };
    await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [rewound] });
    const [offs] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const now = offs.partitions.find((p) => p.partition === rewound.partition).offset;
    assert(now === rewound.offset, `setOffsets did not stick: ${now}`);
    return `p${rewound.partition} committed offset set to ${rewound.offset}`;
  });

  await step('produce 6 more, then a NEW consumer in the same group resumes from the committed offsets', async () => {
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: 6 }, (_, j) => ({
        key: keys[j % keys.length],
        value: JSON.stringify({ seq: 24 + j, kind: 'usage' }),
        headers: { 'x-seq': String(24 + j), 'x-tenant': keys[j % keys.length] },
      })),
    });
    const got = await consumeUntil({
      groupId: GROUP,
      topic: TOPIC,
      done: (r) => r.length >= 7,
      commit: async (consumer, batch) => {
        const last = batch.messages[batch.messages.length - 1];
        if (last) {
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
        }
      },
    });
    const seqs = got.map((m) => JSON.parse(m.value).seq).sort((a, b) => a - b);
    const replayed = got.filter((m) => JSON.parse(m.value).seq < 24);
    assert(replayed.length === 1, `expected exactly 1 replayed message, got ${replayed.length}: ${seqs}`);
    assert(
      replayed[0].partition === rewound.partition && replayed[0].offset === rewound.offset,
      `replayed p${replayed[0].partition}@${replayed[0].offset}, expected p${rewound.partition}@${rewound.offset}`,
    );
    assert(got.filter((m) => JSON.parse(m.value).seq >= 24).length === 6, `new messages: ${seqs}`);
    return `got the 1 uncommitted old message + 6 new ones, nothing else (seqs ${seqs.join(',')})`;
  });

  await step('auto topic creation on produce (auto.create.topics.enable=true)', async () => {
    let lastErr;
    for (let i = 0; i < 10; i += 1) {
      try {
        const meta = await producer.send({ topic: AUTO_TOPIC, acks: -1, messages: [{ key: 'k', value: 'v' }] });
        const md = await admin.fetchTopicMetadata({ topics: [AUTO_TOPIC] });
        return `created with ${md.topics[0].partitions.length} partitions, offset ${meta[0].baseOffset}`;
      } catch (err) {
        lastErr = err;
        await sleep(300);
      }
    }
    throw lastErr;
  });

  await producer.disconnect().catch(() => {});

  // ---- transactions -------------------------------------------------------------------------
  const txProducer = kafka.producer({
    transactionalId: `abaxus-compat-tx-${runId}`,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionTimeout: 30000,
  });
  const txOk = await step('transactional producer connect (InitProducerId with transactionalId)', async () => {
    await txProducer.connect();
  });

  if (txOk) {
    await step('transaction: send + commit', async () => {
      const txn = await txProducer.transaction();
      try {
        await txn.send({
          topic: TXN_TOPIC,
          acks: -1,
          messages: [
            { key: 'a', value: 'committed-1', headers: { 'x-txn': 'commit' } },
            { key: 'b', value: 'committed-2', headers: { 'x-txn': 'commit' } },
          ],
        });
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => {});
        throw err;
      }
    });

    await step('transaction: send + abort', async () => {
      const txn = await txProducer.transaction();
      await txn.send({ topic: TXN_TOPIC, acks: -1, messages: [{ key: 'a', value: 'aborted-1' }] });
      await txn.abort();
    });

    await step('transaction: sendOffsets (consume-transform-produce) + commit', async () => {
      const txn = await txProducer.transaction();
      try {
        await txn.send({ topic: TXN_TOPIC, acks: -1, messages: [{ key: 'c', value: 'committed-3' }] });
        await txn.sendOffsets({
          consumerGroupId: `${GROUP}-eos`,
          topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }],
        });
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => {});
        throw err;
      }
      // The offsets become visible once the coordinator has written the commit marker, which happens
      // after EndTxn returns; kafkajs' OffsetFetch (v4) has no require_stable flag, so poll briefly.
      const t0 = Date.now();
      let seen;
      for (;;) {
        const [offs] = await admin.fetchOffsets({ groupId: `${GROUP}-eos`, topics: [TOPIC] });
        seen = offs.partitions.find((p) => p.partition === 0);
        if ((seen && seen.offset === '1') || Date.now() - t0 > 10000) break;
        await sleep(50);
      }
      assert(seen && seen.offset === '1', `transactional offset commit not visible after 10 s: ${JSON.stringify(seen)}`);
      return `offset of group -eos on p0 = 1, visible to admin.fetchOffsets ${Date.now() - t0} ms after commit()`;
    });

    await step('read_committed consumer sees committed records only', async () => {
      const got = await consumeUntil({
        groupId: `${GROUP}-rc`,
        topic: TXN_TOPIC,
        done: (r) => r.length >= 3,
        timeoutMs: 20000,
      });
      await sleep(500);
      const values = got.map((m) => m.value).sort();
      assert(!values.includes('aborted-1'), `aborted record visible: ${values}`);
      assert(JSON.stringify(values) === JSON.stringify(['committed-1', 'committed-2', 'committed-3']), `got ${values}`);
      return values.join(',');
    });
    await txProducer.disconnect().catch(() => {});
  }

  await step('admin deleteTopics (cleanup)', async () => {
    await admin.deleteTopics({ topics: [TOPIC, TXN_TOPIC, AUTO_TOPIC], timeout: 10000 });
  });
  await admin.disconnect().catch(() => {});
}

main()
  .catch((err) => {
    console.log(`FAIL  unexpected error - ${err && err.stack ? err.stack : err}`);
    results.push({ name: 'unexpected', ok: false });
  })
  .finally(() => {
    const failed = results.filter((r) => !r.ok);
    const passed = results.length - failed.length;
    if (warnings.length) {
      console.log(`kafkajs logged ${warnings.length} warning/error line(s)${process.env.COMPAT_VERBOSE ? '' : ' (COMPAT_VERBOSE=1 shows them)'}:`);
      for (const w of [...new Set(warnings.map((w) => w.replace(/\{.*\}$/, '')))].slice(0, 10)) console.log(`  ${w}`);
    }
    console.log(`${passed} passed, ${failed.length} failed`);
    process.exit(failed.length || results.length === 0 ? 1 : 0);
  });
