#!/usr/bin/env node
'use strict';
/*
 * Readiness poller for the local Kafka broker started by deploy/kafka/kafka.sh.
 *
 *   node deploy/kafka/wait-for-kafka.js --broker 127.0.0.1:19092 [--timeout 90] [--pid 1234] [--once]
 *
 * Polls with the kafkajs admin client (describeCluster) until the broker answers with a controller
 * and at least one broker, then prints the cluster id and exits 0.
 * Exit codes: 0 ready; 1 timed out (or --once and not answering); 2 the --pid process died; 64 bad usage.
 */
const { Kafka, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const opts = { broker: '127.0.0.1:19092', timeout: 90, pid: 0, once: false, quiet: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      i += 1;
      return argv[i];
    };
    if (a === '--broker') opts.broker = next();
    else if (a === '--timeout') opts.timeout = Number(next());
    else if (a === '--pid') opts.pid = Number(next());
    else if (a === '--once') opts.once = true;
    else if (a === '--quiet') opts.quiet = true;
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) usage('--timeout must be a positive number of seconds');
  return opts;
}

function usage(msg) {
  process.stderr.write(`wait-for-kafka: ${msg}\n`);
  process.exit(64);
}

function alive(pid) {
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function probe(broker) {
  const kafka = new Kafka({
    clientId: 'abaxus-kafka-wait',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers || cluster.brokers.length === 0 || cluster.controller == null || cluster.controller < 0) {
      throw new Error('cluster has no broker or no controller yet');
    }
    return cluster;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + opts.timeout * 1000;
  let lastError = 'no attempt made';
  for (;;) {
    if (!alive(opts.pid)) {
      process.stderr.write(`wait-for-kafka: broker process ${opts.pid} exited before answering\n`);
      process.exit(2);
    }
    try {
      const cluster = await probe(opts.broker);
      if (!opts.quiet) {
        process.stdout.write(
          `clusterId=${cluster.clusterId} controller=${cluster.controller} brokers=${cluster.brokers
            .map((b) => `${b.nodeId}@${b.host}:${b.port}`)
            .join(',')}\n`,
        );
      }
      process.exit(0);
    } catch (err) {
      lastError = err && err.message ? err.message : String(err);
    }
    if (opts.once || Date.now() >= deadline) break;
    await sleep(500);
  }
  if (!opts.quiet) {
    process.stderr.write(`wait-for-kafka: ${opts.broker} did not answer${opts.once ? '' : ` within ${opts.timeout}s`} (last error: ${lastError})\n`);
  }
  process.exit(1);
}

main().catch((err) => {
  process.stderr.write(`wait-for-kafka: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
