import { DynamicModule } from '@nestjs/common';
import { missingForDistributedMode, ServiceName } from '../config/abaxus-config';
import { DEFAULT_PORTS } from '../config/default-ports';
import { rootLogger } from '../logging/process-logger';
import { configureProcess, exitOnStartFailure } from './entry-point';
import { InternalCredentialModule } from './internal-credential';
import { ServiceDirectory } from './service-directory';
import { ServiceRuntime } from './service-runtime';
import { startHttpApp, StartedApp } from './start-service-app';

/**
 * Distributed mode: one service in its own process against DATABASE_URL and KAFKA_BROKERS,
 * logging JSON lines. PORT defaults per service (DEFAULT_PORTS) so a laptop can run them side by side.
 * Every route but health and metrics requires ABAXUS_INTERNAL_TOKEN, which it also sends to the others.
 */
export async function runStandaloneService(name: ServiceName, moduleFor: (runtime: ServiceRuntime) => DynamicModule): Promise<StartedApp> {
  const config = configureProcess(name, 'json', { PORT: String(DEFAULT_PORTS[name]), HOST: '0.0.0.0', ...process.env });
  if (!config.databaseUrl || !config.kafkaBrokers || !config.internalToken) {
    return exitOnStartFailure(
      `a standalone service needs ${missingForDistributedMode(config).join(', ')} (ABAXUS_INTERNAL_TOKEN: the same secret of 32+ characters for the gateway and every service; the embedded engine is \`npm start\`).`,
    );
  }
  const runtime: ServiceRuntime = { config, databaseUrl: config.databaseUrl, directory: new ServiceDirectory(config.serviceUrls, config.internalToken) };
  try {
    const started = await startHttpApp(InternalCredentialModule.around(moduleFor(runtime), config.internalToken), { port: config.port, host: config.host });
    started.app.enableShutdownHooks();
    rootLogger().info(`${name} listening on ${config.host}:${new URL(started.url).port}`);
    return started;
  } catch (error) {
    return exitOnStartFailure(error);
  }
}
