// Container healthcheck without curl (node:20-slim has none):
//   node healthcheck.js [live|ready]   -> GET http://127.0.0.1:$PORT/health/<kind>, exit 0 on 2xx.
// PORT must be set (docker-compose.yml sets it for every process).
'use strict';
const kind = process.argv[2] === 'ready' ? 'ready' : 'live';
const port = process.env.PORT;
if (!port) {
  console.error('healthcheck: PORT is not set');
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/health/${kind}`, { signal: AbortSignal.timeout(4000) })
  .then(async (response) => {
    if (response.ok) process.exit(0);
    console.error(`healthcheck: /health/${kind} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
    process.exit(1);
  })
  .catch((error) => {
    console.error(`healthcheck: ${error.message}`);
    process.exit(1);
  });
