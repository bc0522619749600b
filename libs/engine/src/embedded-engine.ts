import { INestApplication, Logger } from '@nestjs/common';
import { createMessageBus } from '@abaxus/platform/bus/create-message-bus';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { AbaxusConfig, SERVICE_NAMES } from '@abaxus/platform/config/abaxus-config';
import { EmbeddedPostgres, startEmbeddedPostgres } from '@abaxus/platform/database/embedded-postgres-server';
import { registerSecrets } from '@abaxus/platform/logging/process-logger';
import { generateInternalCredential, InternalCredentialModule } from '@abaxus/platform/service/internal-credential';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { startHttpApp } from '@abaxus/platform/service/start-service-app';
import { startGateway } from '@abaxus/services/api-gateway/gateway-server';
import { SERVICE_MODULES } from './service-modules';

export interface RunningEngine {
  url: string;
  databaseUrl: string;
  /** Where each in-process service answers (its internal endpoints are not behind the gateway). */
  directory: ServiceDirectory;
  stop(): Promise<void>;
}

export interface EngineOptions {
  embeddedPostgresTestTuning?: boolean;
  /** The engine cannot go on (its embedded PostgreSQL died and did not start again): stop and exit non-zero. */
  onFatal?: (error: Error) => void;
}

/**
 * The whole engine in one process: the five services on loopback ports, the gateway in front,
 * PostgreSQL from DATABASE_URL or embedded, the bus on Kafka or embedded in PostgreSQL.
 * Calls between them run through each service's HTTP stack in-process (no socket; see
 * sendToService) and the bus exactly as in distributed mode; their ports stay open for internal
 * endpoints and require a credential made for this process, so the gateway stays the only door.
 */
export async function startEngine(config: AbaxusConfig, options: EngineOptions = {}): Promise<RunningEngine> {
  const logger = new Logger('Engine');
  let embedded: EmbeddedPostgres | undefined;
  let bus: MessageBus | undefined;
  const apps: INestApplication[] = [];
  const stop = async () => {
    for (const app of apps.reverse()) await app.close().catch((error: Error) => logger.error(`stopping: ${error.message}`));
    apps.length = 0;
    await bus?.close();
    bus = undefined;
    await embedded?.stop();
    embedded = undefined;
  };
  try {
    if (!config.databaseUrl) {
      embedded = await startEmbeddedPostgres(config.dataDir, { testTuning: options.embeddedPostgresTestTuning, onFatal: options.onFatal });
    }
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    const credential = generateInternalCredential();
    registerSecrets([credential]);
    const directory = new ServiceDirectory(config.serviceUrls, credential);
    bus = createMessageBus(config, databaseUrl, 'abaxus-engine');
    const runtime: ServiceRuntime = { config, databaseUrl, directory, sharedBus: bus };
    for (const name of SERVICE_NAMES) {
      const started = await startHttpApp(InternalCredentialModule.around(SERVICE_MODULES[name](runtime), credential), { port: 0, host: '127.0.0.1' });
      apps.push(started.app);
      directory.registerInProcess(name, started.url, started.app.getHttpAdapter().getInstance());
    }
    const gateway = await startGateway(runtime);
    apps.push(gateway.app);
    return { url: gateway.url, databaseUrl, directory, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
