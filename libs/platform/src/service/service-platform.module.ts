import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { createMessageBus } from '../bus/create-message-bus';
import { MessageBus } from '../bus/message-bus';
import { migrateServiceSchema, serviceDataSourceOptions } from '../database/service-data-source';
import { registerSecrets } from '../logging/process-logger';
import { configSecrets } from '../logging/secret-scrubber';
import { Clock, SystemClock } from '../time/clock';
import { ServiceMetrics, ServiceMetricsController } from './dependency-metrics';
import { busCheck, databaseCheck } from './dependency-checks';
import { DependencyCheck, DependencyMonitor } from './dependency-monitor';
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
  /** Dependencies to check and report beyond the database (required) and the bus: the gateway's services. */
  dependencies?: (services: ServiceHttpClient) => DependencyCheck[];
  /** The gateway serves /metrics itself (its request metrics, and the same dependency gauges). */
  withoutMetricsController?: boolean;
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
 * the directory of the other services with an HTTP client, health endpoints answered from
 * dependency checks run in the background, and Prometheus metrics of those checks. The
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
    const services = new ServiceHttpClient(runtime.directory);
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
      controllers: options.withoutMetricsController ? [ServiceHealthController] : [ServiceHealthController, ServiceMetricsController],
      providers: [
        { provide: ABAXUS_CONFIG, useValue: runtime.config },
        { provide: SERVICE_NAME, useValue: options.name },
        { provide: ServiceDirectory, useValue: runtime.directory },
        { provide: Clock, useValue: runtime.clock ?? new SystemClock() },
        { provide: ServiceHttpClient, useValue: services },
        { provide: MessageBus, useFactory: () => runtime.sharedBus ?? createMessageBus(runtime.config, runtime.databaseUrl, `abaxus-${options.name}`) },
        { provide: OWNS_BUS, useValue: runtime.sharedBus === undefined },
        BusShutdown,
        {
          provide: DependencyMonitor,
          inject: [DataSource, MessageBus],
          useFactory: (dataSource: DataSource, bus: MessageBus) =>
            new DependencyMonitor([databaseCheck(dataSource), busCheck(bus), ...(options.dependencies?.(services) ?? [])]),
        },
        { provide: ServiceMetrics, inject: [DependencyMonitor], useFactory: (monitor: DependencyMonitor) => new ServiceMetrics(monitor) },
      ],
      exports: [ABAXUS_CONFIG, SERVICE_NAME, Clock, ServiceDirectory, ServiceHttpClient, MessageBus, TypeOrmModule, DependencyMonitor],
    };
  }
}
