import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { GatewayHealthController } from './health/gateway-health.controller';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { IdempotencyService } from './idempotency/idempotency.service';
import { GatewayMetrics } from './prometheus/gateway-metrics';
import { PrometheusMetricsController } from './prometheus/prometheus-metrics.controller';
import { IdempotencyKeys1700000000100 } from './migrations/1700000000100-idempotency-keys';
import { RenameHttpIdempotentRequests1700000000500 } from './migrations/1700000000500-rename-http-idempotent-requests';
import { ApiDocsController } from './openapi/api-docs.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { GatewayProxyController } from './proxy/gateway-proxy.controller';
import { ServiceProxy } from './proxy/service-proxy';

@Module({})
export class GatewayAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [
        ServicePlatformModule.forService(runtime, {
          name: 'api-gateway',
          schema: 'gateway',
          migrations: [IdempotencyKeys1700000000100, RenameHttpIdempotentRequests1700000000500],
          withoutHealthController: true,
        }),
      ],
      controllers: [GatewayHealthController, PrometheusMetricsController, OpenApiController, ApiDocsController, GatewayProxyController],
      providers: [
        { provide: ApiKeyAuthenticator, useValue: new ApiKeyAuthenticator(runtime.config.apiKeys) },
        GatewayMetrics,
        IdempotencyRepository,
        IdempotencyService,
        ServiceProxy,
      ],
    };
  }
}
