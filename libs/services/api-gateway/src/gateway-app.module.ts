import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { GatewayAdmission } from './admission/gateway-admission';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { ConsoleController } from './console/console.controller';
import { serviceChecks } from './health/service-checks';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import { IdempotencyService } from './idempotency/idempotency.service';
import { GatewayMetrics } from './prometheus/gateway-metrics';
import { PrometheusMetricsController } from './prometheus/prometheus-metrics.controller';
import { GATEWAY_SCHEMA_MIGRATIONS } from './migrations/gateway-schema-migrations';
import { ApiDocsController } from './openapi/api-docs.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { GatewayProxyController } from './proxy/gateway-proxy.controller';
import { ServiceProxy } from './proxy/service-proxy';
import { RateLimitRepository } from './rate-limit/rate-limit.repository';
import { RateLimiter } from './rate-limit/rate-limiter';

@Module({})
export class GatewayAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [
        ServicePlatformModule.forService(runtime, {
          name: 'api-gateway',
          ...GATEWAY_SCHEMA_MIGRATIONS,
          dependencies: serviceChecks,
          withoutMetricsController: true,
        }),
      ],
      controllers: [PrometheusMetricsController, OpenApiController, ApiDocsController, ConsoleController, GatewayProxyController],
      providers: [
        { provide: ApiKeyAuthenticator, useValue: new ApiKeyAuthenticator(runtime.config.apiKeyGrants) },
        GatewayAdmission,
        GatewayMetrics,
        IdempotencyRepository,
        IdempotencyService,
        ServiceProxy,
        RateLimitRepository,
        RateLimiter,
      ],
    };
  }
}
