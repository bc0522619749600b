import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { createMessageBus } from '../bus/create-message-bus';
import { MessageBus } from '../bus/message-bus';
import { migrateServiceSchema, serviceDataSourceOptions } from '../database/service-data-source';
import { registerSecrets } from '../logging/process-logger';
import { configSecrets } from '../logging/secret-scrubber';
import { Clock, SystemClock } from '../time/clock';
import { ServiceDirectory } from './service-directory';
import { ServiceHealthController } from './service-health.controller';
import { ServiceHttpClient } from './service-http-client';
import { ABAXUS_CONFIG, SERVICE_NAME, ServiceRuntime } from './service-runtime';

export interface ServicePlatformOptions {
  /** The service's name in its log lines. */
  name: string;
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  /** The gateway answers health itself (it also checks every service). */
  withoutHealthController?: boolean;
}

const OWNS_BUS = Symbol('OWNS_BUS');

@Injectable()
class BusShutdown implements OnApplicationShutdown {
  constructor(
    private readonly bus: MessageBus,
    @Inject(OWNS_BUS) private readonly ownsBus: boolean,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ownsBus) await this.bus.close();
  }
}

/**
 * What every service gets: its configuration, its own schema (migrated at start), the bus,
 * the directory of the other services with an HTTP client, and health endpoints. The
 * configuration's secrets are never written to the logs.
 */
@Module({})
export class ServicePlatformModule {
  static forService(runtime: ServiceRuntime, options: ServicePlatformOptions): DynamicModule {
    registerSecrets(configSecrets(runtime.config));
    const dataSourceOptions = serviceDataSourceOptions({
      url: runtime.databaseUrl,
      schema: options.schema,
      entities: options.entities,
      migrations: options.migrations,
      poolSize: runtime.config.databasePoolSize,
      applicationName: `abaxus-${options.name}`,
    });
    return {
      module: ServicePlatformModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions,
          dataSourceFactory: async (resolved) => {
            const dataSource = new DataSource(resolved!);
            await dataSource.initialize();
            await migrateServiceSchema(dataSource, options.schema);
            return dataSource;
          },
        }),
      ],
      controllers: options.withoutHealthController ? [] : [ServiceHealthController],
      providers: [
        { provide: ABAXUS_CONFIG, useValue: runtime.config },
        { provide: SERVICE_NAME, useValue: options.name },
        { provide: ServiceDirectory, useValue: runtime.directory },
        { provide: Clock, useValue: runtime.clock ?? new SystemClock() },
        { provide: ServiceHttpClient, useValue: new ServiceHttpClient(runtime.directory) },
        { provide: MessageBus, useFactory: () => runtime.sharedBus ?? createMessageBus(runtime.config, runtime.databaseUrl, `abaxus-${options.name}`) },
        { provide: OWNS_BUS, useValue: runtime.sharedBus === undefined },
        BusShutdown,
      ],
      exports: [ABAXUS_CONFIG, SERVICE_NAME, Clock, ServiceDirectory, ServiceHttpClient, MessageBus, TypeOrmModule],
    };
  }
}
