import { assertGatewayBindAllowed } from '@abaxus/platform/config/abaxus-config';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { HttpAppOptions, startHttpApp, StartedApp } from '@abaxus/platform/service/start-service-app';
import { GATEWAY_BODY_LIMIT_BYTES, GatewayAdmission } from './admission/gateway-admission';
import { GatewayAppModule } from './gateway-app.module';

export { GATEWAY_BODY_LIMIT_BYTES };

/**
 * The edge keeps bodies as bytes: they are forwarded unchanged and hashed for Idempotency-Key.
 * Admission (route, key, scope, bounds, rate limit) runs before a body byte is read.
 */
export const GATEWAY_BODY_HANDLING: Omit<HttpAppOptions, 'port' | 'host'> = {
  bodyLimitBytes: GATEWAY_BODY_LIMIT_BYTES,
  parseJson: false,
  beforeBody: (app) => app.get(GatewayAdmission).middleware(),
};

export function startGateway(runtime: ServiceRuntime, port = runtime.config.port): Promise<StartedApp> {
  assertGatewayBindAllowed(runtime.config);
  return startHttpApp(GatewayAppModule.forRoot(runtime), {
    port,
    host: runtime.config.host,
    ...GATEWAY_BODY_HANDLING,
  });
}
