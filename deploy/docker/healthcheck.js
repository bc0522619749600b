// Container healthcheck without curl (the slim Node images have none):
//   node healthcheck.js [live|ready]   -> GET http://127.0.0.1:<port>/health/<kind>, exit 0 on 2xx.
// The port is PORT when set (docker-compose.yml and the chart set it), else the default port of the
// app this container runs (found by its dist/apps/<app>/src/main.js among the processes), as the app
// itself would choose it.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const kind = process.argv[2] === 'ready' ? 'ready' : 'live';

function runningApp() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const match = /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      if (match) return match[1];
    } catch {
      // A process that ended meanwhile.
    }
  }
  return undefined;
}

function port() {
  if (process.env.PORT) return process.env.PORT;
  const app = runningApp();
  const { DEFAULT_PORTS } = require(join(__dirname, 'dist/libs/platform/src/config/default-ports.js'));
  if (app && DEFAULT_PORTS[app]) return String(DEFAULT_PORTS[app]);
  console.error(`healthcheck: PORT is not set and no app with a default port is running (found: ${app ?? 'none'})`);
  process.exit(1);
}

fetch(`http://127.0.0.1:${port()}/health/${kind}`, { signal: AbortSignal.timeout(4000) })
  .then(async (response) => {
    if (response.ok) process.exit(0);
    console.error(`healthcheck: /health/${kind} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
    process.exit(1);
  })
  .catch((error) => {
    console.error(`healthcheck: ${error.message}`);
    process.exit(1);
  });
