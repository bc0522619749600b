// Integration suites need a real PostgreSQL and a real Kafka broker. scripts/test.js starts them
// when they are not given; run directly, jest must be told where they are. Never skip silently.
const net = require('node:net');

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

module.exports = async function integrationGlobalSetup() {
  const problems = [];
  const databaseUrl = process.env.DATABASE_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if (!databaseUrl)
    problems.push('DATABASE_URL is not set: run the tests with `npm test`, which starts PostgreSQL, or point DATABASE_URL at a PostgreSQL server.');
  if (!brokers)
    problems.push(
      'KAFKA_BROKERS is not set: run the tests with `npm test`, which starts a broker (deploy/kafka/kafka.sh start), or point KAFKA_BROKERS at one.',
    );
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    if (!(await reachable(url.hostname, Number(url.port || 5432))))
      problems.push(`PostgreSQL at ${url.host} does not answer: start it (or unset DATABASE_URL and use npm test).`);
  }
  if (brokers) {
    const [host, port] = brokers.split(',')[0].split(':');
    if (!(await reachable(host, Number(port)))) problems.push(`Kafka at ${brokers} does not answer: start it with deploy/kafka/kafka.sh start.`);
  }
  if (problems.length > 0) throw new Error(`Integration tests cannot run:\n- ${problems.join('\n- ')}`);
};
