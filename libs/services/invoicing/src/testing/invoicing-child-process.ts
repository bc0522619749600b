/*
 * The invoicing service alone in a child process, for crash tests (a SIGKILL mid-run): started by
 * `node -r scripts/register-typescript.js` on an existing test database with stubbed neighbours
 * (CATALOG_URL, PRICING_URL), it prints `READY <url>` once it listens.
 */
import { createMessageBus } from '@abaxus/platform/bus/create-message-bus';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { startHttpApp } from '@abaxus/platform/service/start-service-app';
import { InvoicingAppModule } from '../invoicing-app.module';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
  const databaseUrl = config.databaseUrl!;
  const directory = new ServiceDirectory();
  directory.register('catalog', config.serviceUrls.catalog!);
  directory.register('pricing', config.serviceUrls.pricing!);
  const bus = createMessageBus(config, databaseUrl, 'abaxus-invoicing-child');
  const started = await startHttpApp(InvoicingAppModule.forRoot({ config, databaseUrl, directory, sharedBus: bus }), { port: 0, host: '127.0.0.1' });
  process.stdout.write(`READY ${started.url}\n`);
}

void main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
